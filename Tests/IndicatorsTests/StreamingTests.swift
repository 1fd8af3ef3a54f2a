import Foundation
import Indicators
import Testing
import TradingCore

@Suite("Batch and streaming forms")
struct StreamingTests {
    /// A long seeded random walk, different from the golden data.
    static let series: PriceSeries = {
        var generator = SplitMix64(seed: 42)
        var bars: [PriceBar] = []
        var close = 100.0
        for _ in 0..<20_000 {
            let open = close * (1 + generator.nextGaussian() * 0.002)
            close = open * (1 + generator.nextGaussian() * 0.01)
            let high = max(open, close) * (1 + abs(generator.nextGaussian()) * 0.004)
            let low = min(open, close) * (1 - abs(generator.nextGaussian()) * 0.004)
            bars.append(PriceBar(open: open, high: high, low: low, close: close, volume: (generator.nextDouble() * 1e5).rounded()))
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
