import Indicators
import TradingCore

/// Runs a compiled strategy over bars: the batch driver of the one signal program (indicator
/// columns computed in batch, the program stepped bar by bar), and the one exact ledger
/// (`PositionState`, the paper broker's) for fills, fees and P&L.
///
/// Per bar: orders decided at the previous close fill at this open (`fill: next_open`); then the
/// protective exits are checked against this bar's range; then the program decides at the close,
/// filling at the close (`fill: close`) or queuing for the next open. A bar that reaches both the
/// stop and the target is taken as stopped (the worse first, conservatively); a bar that opens
/// beyond a level fills at the open. No order is placed from the last bar's signals (nothing is
/// left to fill it, and the established backtesters agree). The open position is not closed at the
/// end: it is reported as the open trade and marked to the last close.
public struct Backtester: Sendable {
    public let plan: StrategyPlan
    public var settings: BacktestSettings

    public init(plan: StrategyPlan, settings: BacktestSettings = BacktestSettings()) {
        self.plan = plan
        self.settings = settings
    }

    /// Runs over `series`; `columns` may be shared between runs over the same series.
    public func run(_ series: BarSeries, columns: IndicatorColumns? = nil) throws(StrategyError) -> BacktestResult {
        guard series.count > plan.warmup else {
            throw StrategyError(
                .notEnoughData, "the strategy needs \(plan.warmup + 1) bars before its rules can first decide, and the data has \(series.count)")
        }
        let columns = columns ?? IndicatorColumns(series)
        let inputs = settings.streaming ? [] : columns.columns(for: plan)
        var run = BarLoop(plan: plan, settings: settings, bars: series.count)
        let n = series.count
        let p = series.prices
        let times = series.timesNs
        var failure: StrategyError?
        /// Polled every 4,096 bars: whether to stop (cancelled), reporting progress.
        func stopped(at i: Int) -> Bool {
            guard i & 4095 == 0, i > 0 else { return false }
            if settings.isCancelled?() == true {
                failure = StrategyError(.cancelled, "the backtest was cancelled at bar \(i) of \(n)")
                return true
            }
            settings.progress?(Double(i) / Double(n))
            return false
        }

        if settings.streaming {
            var live = LiveStrategy(plan: plan)
            for i in 0..<n where failure == nil {
                if stopped(at: i) { break }
                let bar = p[i]
                do throws(StrategyError) {
                    try run.open(i, bar, time: times[i])
                    let decision = live.next(
                        bar, timeNs: times[i], position: run.ledger.view(markedAt: bar.close), entries: run.ledger.entries, votes: settings.votes?(times[i]) ?? .none)
                    try run.close(i, bar, time: times[i], decision: decision) { EntryContext(live.program, plan) }
                } catch {
                    failure = error
                }
            }
        } else {
            var program = plan.program
            let external = program.external, votes = settings.votes
            // `columns` owns the memory `inputs` points into and lives until the end of this function.
            inputs.withUnsafeBufferPointer { cols in
                program.withStepper { stepper in
                    for i in 0..<n where failure == nil {
                        if stopped(at: i) { break }
                        let bar = PriceBar(open: p.open[i], high: p.high[i], low: p.low[i], close: p.close[i], volume: p.volume[i])
                        do throws(StrategyError) {
                            try run.open(i, bar, time: times[i])
                            let view = run.ledger.view(markedAt: bar.close)
                            stepper.step(position: view) { v in
                                SignalProgram.writeBar(bar, timeNs: times[i], into: v)
                                for k in 0..<cols.count { v[SignalProgram.firstIndicatorSlot + k] = cols[k][i] }
                                if !external.isEmpty { SignalProgram.writeVotes(votes?(times[i]) ?? .none, external, into: v) }
                            }
                            let decision = plan.decide({ stepper.value($0) }, position: view, entries: run.ledger.entries)
                            try run.close(i, bar, time: times[i], decision: decision) { EntryContext({ stepper.value($0) }, plan) }
                        } catch {
                            failure = error
                        }
                    }
                }
            }
        }
        let ledger = run.ledger
        let equity = run.equity, decisions = run.decisions, barsInMarket = run.barsInMarket
        withExtendedLifetime(columns) {}
        if let failure { throw failure }
        let last = n - 1
        let finalEquity = try ledger.exactEquity(at: p.close[last])
        let openTrade = try ledger.openTrade(markedAt: p.close[last])
        let first = min(settings.firstTradingBar, last)
        let metrics = BacktestMetrics(
            equity: equity[first...], trades: ledger.trades, initialCash: settings.initialCash.doubleValue, finalEquity: finalEquity.doubleValue,
            barsInMarket: barsInMarket, firstClose: p.close[first], lastClose: p.close[last],
            periodsPerYear: settings.calendar.periodsPerYear(barNanoseconds: series.barNanoseconds), openTrade: openTrade != nil)
        return BacktestResult(
            trades: ledger.trades, openTrade: openTrade, equity: equity, finalEquity: finalEquity, cash: ledger.cash, decisions: decisions,
            barsInMarket: barsInMarket, metrics: metrics)
    }
}

/// What an entry needs from the bar that decided it: the ATR and price levels its stops and sizing read.
struct EntryContext: Sendable {
    var stopLevel = Double.nan
    var targetLevel = Double.nan
    var stopATR = Double.nan
    var targetATR = Double.nan
    var trailATR = Double.nan
    var sizingATR = Double.nan

    init() {}

    init(_ program: SignalProgram, _ plan: StrategyPlan) {
        self.init({ program.value($0) }, plan)
    }

    /// The context from slot values read through `value`.
    init(_ value: (Int) -> Double, _ plan: StrategyPlan) {
        func read(_ d: StrategyPlan.Distance?) -> (level: Double, atr: Double) {
            switch d {
            case .price(let slot), .level(let slot, _): (value(slot), .nan)
            case .atr(_, let slot): (.nan, value(slot))
            default: (.nan, .nan)
            }
        }
        (stopLevel, stopATR) = read(plan.stopLoss)
        (targetLevel, targetATR) = read(plan.takeProfit)
        trailATR = read(plan.trailingStop).atr
        if plan.sizing.atrSlot >= 0 { sizingATR = value(plan.sizing.atrSlot) }
    }
}

/// A backtest's per-bar bookkeeping around the strategy's decision, for both drivers: the
/// order queued at the last close fills at this open, protective exits, then this bar's decision
/// filled at its close or queued, the position's bar counted, the equity marked.
struct BarLoop {
    let plan: StrategyPlan
    let settings: BacktestSettings
    let fillAtClose: Bool
    let lastBar: Int
    var ledger: BacktestLedger
    var equity: [Double]
    var decisions: [(bar: Int, decision: StrategyDecision)] = []
    var barsInMarket = 0
    private var pending: StrategyDecision?
    private var pendingContext = EntryContext()

    init(plan: StrategyPlan, settings: BacktestSettings, bars: Int) {
        self.plan = plan
        self.settings = settings
        fillAtClose = plan.execution.fill == .close
        lastBar = bars - 1
        ledger = BacktestLedger(plan: plan, cash: settings.initialCash)
        equity = [Double](repeating: 0, count: bars)
    }

    /// Before the decision: the queued order at the open, then stops and targets on the bar's range.
    @inline(__always)
    mutating func open(_ i: Int, _ bar: PriceBar, time: Int64) throws(StrategyError) {
        if let order = pending {
            try ledger.execute(order, at: bar.open, bar: i, time: time, context: pendingContext)
            pending = nil
        }
        try ledger.protectiveExits(bar, index: i, time: time)
    }

    /// After it: the decision's orders (none from the last bar, or before the first trading bar),
    /// then the bar closed in the ledger and the equity marked at the close.
    @inline(__always)
    mutating func close(_ i: Int, _ bar: PriceBar, time: Int64, decision: StrategyDecision, context: () -> EntryContext) throws(StrategyError) {
        if !decision.isNone, i < lastBar, i >= settings.firstTradingBar {
            if settings.recordDecisions { decisions.append((i, decision)) }
            if fillAtClose {
                try ledger.execute(decision, at: bar.close, bar: i, time: time, context: context())
            } else {
                pending = decision
                pendingContext = context()
            }
        }
        if plan.hasMovingLevels { ledger.moveLevels(context()) }
        ledger.closeBar(bar)
        if !ledger.position.isFlat { barsInMarket += 1 }
        equity[i] = ledger.equity(at: bar.close)
    }
}
