import Foundation
import Indicators

/// A golden CSV written by scripts/indicators-golden.py: OHLCV columns, then TA-Lib's outputs.
struct GoldenFile {
    let series: PriceSeries
    /// Output columns by name; NaN where TA-Lib has no value.
    let columns: [String: [Double]]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let datasets = ["synthetic", "constant", "zero_volume", "spike", "short", "fx_ties", "micro", "macro"]

    /// Columns held to a looser relative bound than 1e-9, and why (Shared/Indicators/README.md).
    /// LINEARREG_ANGLE is atan of a slope whose numerator, n·Σxy − Σx·Σy, cancels on windows whose
    /// spread is tiny against the price: every formula loses those digits, and TA-Lib 0.8.1's slope
    /// differs from the exact one (a centred two-pass fit, checked in the golden script's venv) by
    /// as much as ours does, up to 1.5e-7 relative on the ~1e5 series; the slope itself passes
    /// under the price floor. PPO with WMA averages: fast − slow cancels the same way near a
    /// crossing (up to 2e-8 relative where PPO is ~1e-3 %, i.e. 2e-13 of the price; TA-Lib's WMA
    /// order, tried, moved the difference without removing it).
    static let knownDifferences: [String: Double] = ["linearreg_angle": 2e-7, "ppo_20_5_2": 5e-8]

    /// The specs the golden files cover, in CLI syntax.
    static func cases() throws -> [String] {
        let text = try String(contentsOf: directory.appendingPathComponent("cases.txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    init(dataset: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("\(dataset).csv"), encoding: .utf8)
        var lines = text.split(separator: "\n")
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var values = [[Double]](repeating: [], count: header.count)
        for line in lines {
            for (index, cell) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                values[index].append(cell.isEmpty ? .nan : Double(cell)!)
            }
        }
        var byName: [String: [Double]] = [:]
        for (name, column) in zip(header, values) { byName[name] = column }
        series = PriceSeries(
            open: byName["open"]!, high: byName["high"]!, low: byName["low"]!, close: byName["close"]!,
            volume: byName["volume"]!)
        columns = byName
    }
}

/// TA-Lib agreement: |ours − TA-Lib| ≤ `relative` (1e-9) · max(|TA-Lib|, 1e-3 · the column's largest |TA-Lib|
/// value), or ≤ 1e-13 · `priceScale` (the series' largest close); and no value exactly where TA-Lib
/// has none. Relative first, so a micro-priced series (values ~1e-7) is held to 1e-9 of its values,
/// not to an absolute 1e-9 it would meet whatever it computed; the column floor keeps an oscillator
/// crossing zero from being held to the relative error of its near-zero values; the price floor
/// accepts, for outputs that are small differences of prices (slopes, TRIX, PPO), disagreement a
/// few hundred ulps of the prices deep, which no chart or decision can see. Returns the first
/// disagreement, if any.
func firstMismatch(_ ours: [Double], _ reference: [Double], priceScale: Double, relative: Double = 1e-9) -> String? {
    guard ours.count == reference.count else { return "length \(ours.count) vs \(reference.count)" }
    let scale = reference.lazy.filter { !$0.isNaN }.map(abs).max() ?? 0
    for index in ours.indices {
        let (a, b) = (ours[index], reference[index])
        if a.isNaN != b.isNaN {
            return "bar \(index): ours \(a), TA-Lib \(b) (first TA-Lib value at \(reference.firstIndex { !$0.isNaN } ?? -1), ours at \(ours.firstIndex { !$0.isNaN } ?? -1))"
        }
        let difference = abs(a - b)
        if !a.isNaN && difference > relative * max(abs(b), 1e-3 * scale) && difference > 1e-13 * priceScale {
            return "bar \(index): ours \(a), TA-Lib \(b) (relative \(difference / max(abs(b), .leastNormalMagnitude)))"
        }
    }
    return nil
}
