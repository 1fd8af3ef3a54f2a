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
        var ledger = BacktestLedger(plan: plan, cash: settings.initialCash)
        var equity = [Double](repeating: 0, count: series.count)
        var decisions: [(bar: Int, decision: StrategyDecision)] = []
        var pending: StrategyDecision?
        var pendingContext = EntryContext()
        let fillAtClose = plan.execution.fill == .close
        let n = series.count
        let p = series.prices
        var barsInMarket = 0
        var failure: StrategyError?

        /// Every bar through the ledger; `decide` steps the program on a bar for a position, and
        /// `context` reads the entry context from the program's latest values.
        func eachBar(_ decide: (Int, PriceBar, PositionView, Int) -> StrategyDecision, _ context: () -> EntryContext) {
            for i in 0..<n {
                if i & 4095 == 0, i > 0 {
                    if settings.isCancelled?() == true {
                        failure = StrategyError(.cancelled, "the backtest was cancelled at bar \(i) of \(n)")
                        return
                    }
                    settings.progress?(Double(i) / Double(n))
                }
                let bar = PriceBar(open: p.open[i], high: p.high[i], low: p.low[i], close: p.close[i], volume: p.volume[i])
                let time = series.timesNs[i]
                do throws(StrategyError) {
                    if let order = pending {
                        try ledger.execute(order, at: bar.open, bar: i, time: time, context: pendingContext)
                        pending = nil
                    }
                    try ledger.protectiveExits(bar, index: i, time: time)
                    let decision = decide(i, bar, ledger.view, ledger.entries)
                    if !decision.isNone, i < n - 1, i >= settings.firstTradingBar {
                        if settings.recordDecisions { decisions.append((i, decision)) }
                        if fillAtClose {
                            try ledger.execute(decision, at: bar.close, bar: i, time: time, context: context())
                        } else {
                            pending = decision
                            pendingContext = context()
                        }
                    }
                } catch {
                    failure = error
                    return
                }
                ledger.closeBar(bar)
                if !ledger.position.isFlat { barsInMarket += 1 }
                equity[i] = ledger.equity(at: bar.close)
            }
        }

        if settings.streaming {
            var live = LiveStrategy(plan: plan)
            eachBar({ _, bar, view, entries in live.next(bar, position: view, entries: entries) }, { EntryContext(live.program, plan) })
        } else {
            var program = plan.program
            // `columns` owns the memory `inputs` points into and lives until the end of this function.
            inputs.withUnsafeBufferPointer { cols in
                program.withStepper { stepper in
                    eachBar(
                        { i, bar, view, entries in
                            stepper.step(position: view) { v in
                                SignalProgram.writePrices(bar, into: v)
                                for k in 0..<cols.count { v[5 + k] = cols[k][i] }
                            }
                            return plan.decide({ stepper.value($0) }, position: view, entries: entries)
                        }, { EntryContext({ stepper.value($0) }, plan) })
                }
            }
        }
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
            case .price(let slot): (value(slot), .nan)
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
