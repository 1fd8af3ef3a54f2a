import Contract
import Foundation
import PlatformTesting
import ServiceKitTesting
import Strategies
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

/// One strategy, two drivers, the real services: the same candles go through a live bot
/// (market-data's bus → orchestrator → risk → execution's paper broker) and through the
/// backtester, and the decisions on every bar and the fills must be the same.
@Suite("Live bot = backtest", .serialized)
struct LiveEqualsBacktestTests {
    /// SMA(3)/SMA(8) cross, a fifth of equity per entry (within risk's default order limit), execution's paper costs (10 bps fee, 2 bps slippage).
    static let document = """
        {"version": 1, "name": "fast cross",
         "signals": {"fast": {"indicator": "sma", "period": 3}, "slow": {"indicator": "sma", "period": 8}},
         "rules": {"entry_long": [{"left": "fast", "op": "crosses_above", "right": "slow"}],
                   "exit_long": [{"left": "fast", "op": "crosses_below", "right": "slow"}]},
         "sizing": {"model": "percent_equity", "percent": 20},
         "execution": {"fill": "close", "fee_bps": 10, "slippage_bps": 2}}
        """

    /// The same strategy in Pine: it compiles to the same document but for costs (Pine states
    /// slippage in ticks, the paper broker's is 2 bps), so its fills are not compared, its decisions are.
    static let pine = """
        //@version=6
        strategy("fast cross", process_orders_on_close=true, default_qty_type=strategy.percent_of_equity, default_qty_value=20, commission_type=strategy.commission.percent, commission_value=0.1)
        fast = ta.sma(close, 3)
        slow = ta.sma(close, 8)
        if ta.crossover(fast, slow)
            strategy.entry("L", strategy.long)
        if ta.crossunder(fast, slow)
            strategy.close("L")
        """

    @Test("a live bot decides (and fills) as the backtest", arguments: ["document", "pine"])
    func liveBotDecidesAndFillsAsTheBacktest(form: String) async throws {
        let config = form == "pine" ? PB.StrategyConfig(pine: Self.pine) : PB.StrategyConfig(document: Self.document)
        try await withPlatform { p in
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 600) * minute
            var price = 40_000.0
            let history = candles(from: t0, count: 60, price: &price, step: 1)
            try await p.market.deliver(history, publish: false)
            // Three swings up and down: several crosses each way.
            var swings: [PB.Candle] = []
            for (i, step) in [1.004, 0.996, 1.005, 0.995, 1.003, 0.997].enumerated() {
                swings += candles(from: t0 + Int64(60 + i * 12) * minute, count: 12, price: &price, step: step)
            }
            let live = swings
            let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "eve", initialCash: dec("100000"))).id
            try await withOrchestrator(p) { orchestrator in
                let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                    ownerId: "eve", symbol: "BTC/USDT", timeframe: .m1, strategy: config, mode: .paper,
                    accountId: account))
                _ = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                let feed = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                var decided: [Int64: PB.Decision] = [:]
                for candle in live {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    let d = try #require(await feed.next(), "no decision for the bar at \(candle.openTimeNs)")
                    decided[d.candleOpenTimeNs] = d
                }
                _ = try await orchestrator.stopBot(PB.GetBotRequest(id: bot.id))

                // The backtester over the same bars, with the same instrument's tick and lot.
                let instrument = try await p.market.client.getInstrument(PB.GetInstrumentRequest(symbol: "BTC/USDT"))
                let strategy = try Strategy(config, instrument: instrument)
                let all = history + live
                let series = try StrategyBacktest.series(all)
                // The bot traded from its first live bar; the history only warmed it up.
                var settings = BacktestSettings(initialCash: FixedDecimal(raw: 100_000 * FixedDecimal.unitsPerOne), recordDecisions: true)
                settings.firstTradingBar = history.count
                let backtest = try Backtester(plan: strategy.plan, settings: settings).run(series)
                let expected = Dictionary(uniqueKeysWithValues: backtest.decisions.map { (all[$0.bar].openTimeNs, $0.decision) })
                // Every live bar but the last (a backtest's last bar has no next bar to trade on).
                var acted = 0
                for candle in live.dropLast() {
                    let want: PB.Action = expected[candle.openTimeNs].map { $0.entry == .buy ? .buy : ($0.exit != nil ? .sell : .hold) } ?? .hold
                    #expect(decided[candle.openTimeNs]?.action == want, "bar \(candle.openTimeNs): \(decided[candle.openTimeNs]?.reasoning ?? "no decision")")
                    if want != .hold {
                        acted += 1
                        #expect(decided[candle.openTimeNs]?.riskOutcome?.code == .ok, "\(decided[candle.openTimeNs]?.riskOutcome?.message ?? "")")
                    }
                }
                #expect(acted >= 4, "the swings should cross several times")

                guard form == "document" else { return }
                // The same fills: execution's round trips are the backtest's, to the unit.
                let trades = try await p.execution.listTrades(PB.ListTradesRequest(accountId: account)).trades.sorted { $0.openedAtNs < $1.openedAtNs }
                let closed = backtest.trades.filter { $0.exitBar.map { $0 < all.count - 1 } ?? false }
                #expect(trades.count == closed.count && !trades.isEmpty)
                for (real, simulated) in zip(trades, closed) {
                    #expect(FixedDecimal(wire: real.entryPrice) == simulated.entryPrice)
                    #expect(FixedDecimal(wire: real.exitPrice) == simulated.exitPrice)
                    #expect(FixedDecimal(wire: real.quantity) == simulated.quantity)
                    #expect(FixedDecimal(wire: real.fees) == simulated.fees)
                    #expect(FixedDecimal(wire: real.realizedPnl) == simulated.pnl)
                }

                // And the orchestrator's own backtest over the stored candles agrees with the same backtest trading from the start.
                let remote = try await orchestrator.runBacktest(PB.BacktestRequest(
                    symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: t0, toNs: all.last!.openTimeNs + minute),
                    strategy: PB.StrategyConfig(document: Self.document), initialCash: dec("100000")))
                settings.firstTradingBar = 0
                let whole = try Backtester(plan: strategy.plan, settings: settings).run(series)
                #expect(remote.trades.count == whole.trades.count && FixedDecimal(wire: remote.finalEquity) == whole.finalEquity)
            }
        }
    }
}
