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

    @Test(
        "a copied indicator continues independently of the original",
        arguments: ["rsi", "sma:30", "sma:100", "ultosc:7,14,28", "ultosc:20,40,80", "midpoint", "midprice:100", "stoch"]  // windows inline and spilled
    )
    func copiesAreIndependent(text: String) throws {
        var original = try ConfiguredIndicator(parsing: text).makeEngine()
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: original.width)
        defer { row.deallocate() }
        for index in 0..<150 { _ = original.update(Self.series[index], into: row) }
        var copy = original
        func outputs(_ engine: inout any IndicatorEngine) -> [Double] {
            (150..<300).flatMap { index in
                engine.update(Self.series[index], into: row) ? Array(row) : []
            }
        }
        let fromOriginal = outputs(&original)
        let fromCopy = outputs(&copy)
        #expect(fromOriginal.count == 150 * original.width)
        #expect(fromOriginal == fromCopy)
    }

    @Test("ring buffers compare and hash by the values they hold", arguments: [30, 100])
    func ringBufferEquality(capacity: Int) {
        var first = RingBuffer(capacity: capacity)
        var second = RingBuffer(capacity: capacity)
        for value in 0..<(capacity + 7) {
            first.push(Double(value))
            second.push(Double(value))
        }
        #expect(first == second)
        #expect(first.hashValue == second.hashValue)
        var copy = first
        copy.push(-1)
        #expect(copy != first)
        #expect(first.oldest == 7 && copy.oldest == 8)
        #expect(copy[age: 0] == -1 && first[age: 0] == Double(capacity + 6))
    }

    @Test("an empty series gives empty columns, batch and streaming", arguments: try GoldenFile.cases())
    func emptySeries(text: String) throws {
        let indicator = try ConfiguredIndicator(parsing: text)
        let outputs = indicator.compute(PriceSeries(bars: []))
        #expect(outputs.count == indicator.makeEngine().width && outputs.allSatisfy(\.isEmpty))
        var engine = indicator.makeEngine()
        PriceSeries(bars: []).withColumns { input in
            makeOutputColumns(count: 0, width: engine.width) { columns in engine.replay(over: input, into: columns) }
        }
    }

    @Test("a series shorter than the lookback gives no value at all")
    func shortSeries() throws {
        let indicator = try ConfiguredIndicator(parsing: "macd")
        let outputs = indicator.compute(PriceSeries(bars: (0..<33).map { PriceBar(value: Double($0)) }))
        #expect(outputs.allSatisfy { $0.allSatisfy(\.isNaN) })
    }
}
