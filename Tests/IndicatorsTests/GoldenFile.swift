import Foundation
import Indicators

/// A golden CSV written by scripts/indicators-golden.py: OHLCV columns, then TA-Lib's outputs.
struct GoldenFile {
    let series: PriceSeries
    /// Output columns by name; NaN where TA-Lib has no value.
    let columns: [String: [Double]]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static let datasets = ["synthetic", "constant", "zero_volume", "spike", "short"]

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

/// TA-Lib agreement as the issue states it: |ours − TA-Lib| ≤ 1e-9 · max(1, |TA-Lib|), and no value
/// exactly where TA-Lib has none. Returns the first disagreement, if any.
func firstMismatch(_ ours: [Double], _ reference: [Double]) -> String? {
    guard ours.count == reference.count else { return "length \(ours.count) vs \(reference.count)" }
    for index in ours.indices {
        let (a, b) = (ours[index], reference[index])
        if a.isNaN != b.isNaN {
            return "bar \(index): ours \(a), TA-Lib \(b) (first TA-Lib value at \(reference.firstIndex { !$0.isNaN } ?? -1), ours at \(ours.firstIndex { !$0.isNaN } ?? -1))"
        }
        if !a.isNaN && abs(a - b) > 1e-9 * max(1, abs(b)) {
            return "bar \(index): ours \(a), TA-Lib \(b)"
        }
    }
    return nil
}
