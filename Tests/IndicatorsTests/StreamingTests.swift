import Foundation
import Indicators
import Testing

@Suite("Batch and streaming forms")
struct StreamingTests {
    /// A long seeded random walk, different from the golden data.
    static let series: PriceSeries = {
        var generator = SplitMix64(seed: 42)
        var bars: [PriceBar] = []
        var close = 100.0
        for _ in 0..<20_000 {
            let open = close * (1 + generator.normal() * 0.002)
            close = open * (1 + generator.normal() * 0.01)
            let high = max(open, close) * (1 + abs(generator.normal()) * 0.004)
            let low = min(open, close) * (1 - abs(generator.normal()) * 0.004)
            bars.append(PriceBar(open: open, high: high, low: low, close: close, volume: (generator.unit() * 1e5).rounded()))
        }
        return PriceSeries(bars: bars)
    }()

    @Test("batch equals bar-by-bar streaming, bit for bit, for every golden case", arguments: try GoldenFile.cases())
    func batchEqualsStreaming(text: String) throws {
        let indicator = try ConfiguredIndicator(parsing: text)
        let batch = indicator.compute(Self.series)
        var engine = indicator.makeEngine()
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: engine.width)
        defer { row.deallocate() }
        for index in 0..<Self.series.count {
            let warm = engine.update(Self.series[index], into: row)
            for k in 0..<engine.width {
                let expected = batch[k][index]
                if warm {
                    guard expected.bitPattern == row[k].bitPattern else {
                        Issue.record("\(text) output \(k) bar \(index): batch \(expected), streaming \(row[k])")
                        return
                    }
                } else if !expected.isNaN {
                    Issue.record("\(text) output \(k) bar \(index): batch has \(expected), streaming is not warm")
                    return
                }
            }
        }
    }

    @Test("a copied indicator continues independently of the original")
    func copiesAreIndependent() {
        var original = GainLossOscillator(.rsi, period: 14)
        for index in 0..<100 { _ = original.update(Self.series.close[index]) }
        var copy = original
        let fromOriginal = (100..<200).compactMap { original.update(Self.series.close[$0]) }
        let fromCopy = (100..<200).compactMap { copy.update(Self.series.close[$0]) }
        #expect(fromOriginal == fromCopy)
    }

    @Test("a series shorter than the lookback gives no value at all")
    func shortSeries() throws {
        let indicator = try ConfiguredIndicator(parsing: "macd")
        let outputs = indicator.compute(PriceSeries(bars: (0..<33).map { PriceBar(value: Double($0)) }))
        #expect(outputs.allSatisfy { $0.allSatisfy(\.isNaN) })
    }
}

/// A small seeded generator, so the test data is the same on every machine.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), .leastNonzeroMagnitude)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }
}
