import Indicators
import Strategies
import Testing
import TradingCore

/// The backtester's batch driver and the live bots' streaming driver run one program: the same
/// decisions on every bar and the same fills, for every template and both fill modes.
@Suite struct DriverEquivalenceTests {
    static func randomWalk(count: Int, seed: UInt64) throws -> BarSeries {
        var rng = SplitMix64(seed: seed)
        var price = 100.0
        var bars: [PriceBar] = [], times: [Int64] = []
        for i in 0..<count {
            let open = price
            let move = (Double(rng.next() % 2001) - 1000) / 1000 * 0.02
            let close = max(1, open * (1 + move))
            let high = max(open, close) * (1 + Double(rng.next() % 100) / 10_000)
            let low = min(open, close) * (1 - Double(rng.next() % 100) / 10_000)
            bars.append(PriceBar(open: open, high: high, low: low, close: close, volume: Double(1000 + rng.next() % 1000)))
            times.append(Int64(i) * 86_400_000_000_000)
            price = close
        }
        return try BarSeries(timesNs: times, prices: PriceSeries(bars: bars))
    }

    @Test("batch and streaming drivers decide and fill alike", arguments: StrategyTemplates.all.map(\.name))
    func sameDecisions(template: String) throws {
        let series = try Self.randomWalk(count: 3_000, seed: 7)
        let document = try StrategyDocument(json: StrategyTemplates.json(named: template)!)
        let plan = try StrategyCompiler.compile(document)
        var settings = BacktestSettings(recordDecisions: true)
        let batch = try Backtester(plan: plan, settings: settings).run(series)
        settings.streaming = true
        let streaming = try Backtester(plan: plan, settings: settings).run(series)
        #expect(batch.decisions.map(\.bar) == streaming.decisions.map(\.bar))
        #expect(batch.decisions.map(\.decision) == streaming.decisions.map(\.decision))
        #expect(batch.trades == streaming.trades)
        #expect(batch.finalEquity == streaming.finalEquity)
        #expect(!batch.trades.isEmpty, "the template should trade on a random walk: \(template)")
    }
}
