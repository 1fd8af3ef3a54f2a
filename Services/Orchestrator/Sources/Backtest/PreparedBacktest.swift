import Contract
import RPC
import ServiceKit
import Foundation
import LanguageModels
import Strategies
import TradingCore
import Wire

/// A backtest request checked, its strategy compiled and its candles loaded: what the
/// synchronous RPC and a backtest job run (off the event loops: `run` is plain computation).
struct PreparedBacktest: Sendable {
    let strategy: Strategy
    let series: BarSeries
    let cash: FixedDecimal
    let calendar: TradingCalendar
    /// The request with everything resolved (symbol, strategy, risk, cash), as results echo it.
    let request: PB.BacktestRequest

    /// Checks what can be checked without data: the strategy (and risk, costs, range). A job is
    /// refused here, before it is queued.
    static func check(_ request: PB.BacktestRequest, instrument: PB.Instrument) throws(OrchestratorError) -> (Strategy, BotRisk, FixedDecimal) {
        _ = try OrchestratorHandlers.timeframe(request.timeframe)
        let risk = try BotRisk(request.risk)
        let cash = FixedDecimal(wire: request.initialCash).isZero ? FixedDecimal(raw: 100_000 * FixedDecimal.unitsPerOne) : FixedDecimal(wire: request.initialCash)
        guard cash > .zero else { throw OrchestratorError(.invalidArgument, "initial_cash must be positive") }
        guard request.feeRate.isFinite, (0..<0.1).contains(request.feeRate) else {
            throw OrchestratorError(.invalidArgument, "fee_rate is \(request.feeRate); give a fraction of notional below 0.1, e.g. 0.001")
        }
        guard request.slippageBps.isFinite, (0...1_000).contains(request.slippageBps) else {
            throw OrchestratorError(.invalidArgument, "slippage_bps is \(request.slippageBps); give 0 to 1000")
        }
        if let range = request.range, range.toNs != 0, range.toNs <= range.fromNs {
            throw OrchestratorError(.invalidRange, "range.to_ns must be after range.from_ns")
        }
        let strategy = try Strategy(request.strategy, risk: risk, instrument: instrument) { document in
            // The request's costs, where given, replace the document's assumptions.
            if request.feeRate > 0 { document.execution.feeBps = request.feeRate * 10_000 }
            if request.slippageBps > 0 { document.execution.slippageBps = request.slippageBps }
        }
        return (strategy, risk, cash)
    }

    /// Checks `request` and loads its candles from market-data (at most `backtest.max_bars`; filled
    /// from the feed's history first when most of the range is missing).
    static func load(_ request: PB.BacktestRequest, peers: Peers, settings: OrchestratorSettings) async throws -> PreparedBacktest {
        let instrument = try await peers.instrument(request.symbol)
        let (strategy, risk, cash) = try check(request, instrument: instrument)
        let timeframe = try OrchestratorHandlers.timeframe(request.timeframe)
        // Filled from the feed's history first when fewer than half of the periods asked for are stored.
        let expected = expectedBars(request.range, timeframe, warmup: strategy.plan.warmup, limit: settings.backtestMaxBars)
        let candles = try await peers.candles(
            instrument.symbol, timeframe, range: request.range, limit: settings.backtestMaxBars, atLeast: expected / 2, fill: expected)
        let series = try StrategyBacktest.series(candles)
        guard series.count > strategy.plan.warmup else {
            throw OrchestratorError(
                .notEnoughHistory,
                "\(instrument.symbol) has \(series.count) closed \(timeframe) candles in the range; the strategy needs \(strategy.plan.warmup + 1) to warm up")
        }
        var echoed = request
        echoed.symbol = instrument.symbol
        echoed.strategy = strategy.config
        echoed.risk = risk.wire
        echoed.initialCash = cash.wire
        return PreparedBacktest(strategy: strategy, series: series, cash: cash, calendar: TradingCalendar(instrument.assetClass), request: echoed)
    }

    /// The bars a request's range spans up to now (without a range: 2,000, or ten warm-ups if more),
    /// at most `limit`.
    static func expectedBars(_ range: PB.TimeRange?, _ timeframe: Timeframe, warmup: Int, limit: Int) -> Int {
        guard let range, range.fromNs > 0 else { return min(limit, max(2_000, warmup * 10)) }
        let end = range.toNs > 0 ? min(range.toNs, WallClock.nowNs) : WallClock.nowNs
        return min(limit, max(0, Int((end - range.fromNs) / timeframe.nanoseconds)))
    }

    /// Runs it: the result on the wire with `curvePoints` equity points at most (nil: every bar).
    /// With `votes` the LLM agent votes as asked beforehand, and the result's metrics say how
    /// (`llm`: calls, cache hits, cost, the leakage guard).
    func run(
        id: String, curvePoints: Int?, votes: BacktestVotes? = nil, progress: (@Sendable (Double) -> Void)? = nil,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(OrchestratorError) -> PB.BacktestResult {
        var settings = BacktestSettings(initialCash: cash, calendar: calendar)
        settings.progress = progress
        settings.isCancelled = isCancelled
        if let table = votes?.byTime(series) { settings.votes = table }
        let outcome = try Strategy.checked { () throws(StrategyError) in try Backtester(plan: strategy.plan, settings: settings).run(series) }
        var result = StrategyBacktest.wire(outcome, strategy, series, request: request, id: id, now: WallClock.nowNs, curvePoints: curvePoints)
        if let votes, case .object(var metrics)? = try? JSONValue(parsing: result.metricsJson) {
            if votes.summary.model != "not weighed" { metrics["llm"] = votes.summary.json }
            for (agent, note) in votes.notes { metrics[agent] = note }
            result.metricsJson = JSONValue.object(metrics).jsonText
        }
        return result
    }
}
