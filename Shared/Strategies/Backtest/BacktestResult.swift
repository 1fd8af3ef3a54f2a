import TradingCore

/// One round trip of a backtest (or the trade still open at the end).
public struct BacktestTrade: Sendable, Hashable {
    /// `.buy`: a long trade; `.sell`: a short one.
    public var side: Side
    public var entryBar: Int
    public var entryTimeNs: Int64
    /// The quantity-weighted average entry price.
    public var entryPrice: FixedDecimal
    /// Nil while the trade is open.
    public var exitBar: Int?
    public var exitTimeNs: Int64?
    public var exitPrice: FixedDecimal?
    public var quantity: FixedDecimal
    /// Net of fees; for an open trade, marked at the last close before exit fees.
    public var pnl: FixedDecimal
    public var fees: FixedDecimal
    public var exitReason: ExitReason?
}

/// What a backtest produced: trades, the equity of every bar, the decisions and the metrics.
public struct BacktestResult: Sendable {
    public var trades: [BacktestTrade]
    /// The position still open after the last bar (not force-closed).
    public var openTrade: BacktestTrade?
    /// Equity after each bar's fills, marked at its close (statistics, in Double).
    public var equity: [Double]
    /// Cash plus the open position at the last close, exact.
    public var finalEquity: FixedDecimal
    public var cash: FixedDecimal
    /// Bars on which a decision was taken, when asked for (`BacktestSettings.recordDecisions`).
    public var decisions: [(bar: Int, decision: StrategyDecision)]
    /// Bars at whose close a position was open.
    public var barsInMarket: Int
    public var metrics: BacktestMetrics
}

/// How a backtest runs beyond what the strategy document says.
public struct BacktestSettings: Sendable {
    public var initialCash: FixedDecimal
    /// For annualising (bars a year from the calendar and the bar length).
    public var calendar: TradingCalendar
    /// Keep every bar's decision (tests, replays); off for speed.
    public var recordDecisions: Bool
    /// Run the live bots' driver (streaming indicators, bar by bar) instead of the batch columns:
    /// the same decisions, slower; for tests that prove they are the same.
    public var streaming = false
    /// Signals before this bar place no orders (the bars before only warm the indicators up):
    /// walk-forward tests a window with its training bars as history.
    public var firstTradingBar = 0
    /// Polled every 4,096 bars: true stops the run with `strategy.cancelled`.
    public var isCancelled: (@Sendable () -> Bool)?
    /// Polled with the share of bars done (0...1) every 4,096 bars.
    public var progress: (@Sendable (Double) -> Void)?
    /// The external agents' votes on the bar opening at a time (ns): by time, so a run over part
    /// of the series (a walk-forward window) reads the same votes; none: they abstain.
    public var votes: (@Sendable (Int64) -> AgentVotes)?

    public init(
        initialCash: FixedDecimal = FixedDecimal(raw: 100_000 * FixedDecimal.unitsPerOne), calendar: TradingCalendar = .stocks,
        recordDecisions: Bool = false
    ) {
        self.initialCash = initialCash
        self.calendar = calendar
        self.recordDecisions = recordDecisions
    }
}
