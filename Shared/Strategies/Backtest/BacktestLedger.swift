import Indicators
import TradingCore

/// A backtest's account: exact cash (`Ledger`) and the position (`PositionState`), the paper broker's own
/// bookkeeping), the protective levels of the open position, and the closed trades.
struct BacktestLedger {
    let plan: StrategyPlan
    private var ledger: Ledger
    var cash: FixedDecimal { ledger.cash }
    private(set) var position: PositionState
    private(set) var trades: [BacktestTrade] = []
    /// Entries into the open position (pyramiding).
    private(set) var entries = 0
    private var entryBar = 0
    private var barsInTrade = 0
    /// `cash`, the position's quantity and average price as Doubles, kept with every fill: each bar
    /// reads them (equity, position signals) and converting from fixed point costs a division.
    private var cashValue: Double
    private var quantityValue = 0.0
    private var averageValue = 0.0
    /// Whether the position was opened at this bar's close (its range is then before the entry).
    private var openedAtClose = false
    private var stopLevel = Double.nan
    private var targetLevel = Double.nan
    private var trail: TrailingStop?
    /// Closed trades so far, for Kelly sizing.
    private var record = TradeRecord()

    init(plan: StrategyPlan, cash: FixedDecimal) {
        self.plan = plan
        ledger = Ledger(cash: cash)
        cashValue = cash.doubleValue
        position = PositionState(symbol: "")
    }

    /// The position as the strategy's position signals see it at a bar whose close is `close`.
    func view(markedAt close: Double) -> PositionView {
        quantityValue == 0
            ? PositionView(equity: cashValue)
            : PositionView(
                quantity: quantityValue, barsInTrade: barsInTrade, entryPrice: averageValue, equity: equity(at: close), entries: entries)
    }

    func equity(at close: Double) -> Double { cashValue + quantityValue * close }

    func exactEquity(at close: Double) throws(StrategyError) -> FixedDecimal {
        try arithmetic { () throws(ArithmeticError) in try cash + (try position.quantity * (try FixedDecimal(approximating: close))) }
    }

    /// Carries out `decision` at `price` (before slippage).
    mutating func execute(_ decision: StrategyDecision, at price: Double, bar: Int, time: Int64, context: EntryContext) throws(StrategyError) {
        if let reason = decision.exit, !position.isFlat {
            try close(at: price, bar: bar, time: time, reason: reason)
        }
        if let side = decision.entry {
            try enter(side, at: price, bar: bar, time: time, context: context, atClose: plan.execution.fill == .close)
        }
    }

    /// Stops, targets and the trailing stop against `bar`'s range, for a position held into it.
    mutating func protectiveExits(_ bar: PriceBar, index: Int, time: Int64) throws(StrategyError) {
        guard !position.isFlat, !openedAtClose else { return }
        let long = !position.quantity.isNegative
        var stop = stopLevel
        let trailLevel = trail?.level ?? .nan
        if !trailLevel.isNaN { stop = stop.isNaN ? trailLevel : (long ? max(stop, trailLevel) : min(stop, trailLevel)) }
        let stopReason: ExitReason = stop == trailLevel && stop != stopLevel ? .trailingStop : .stopLoss
        let target = targetLevel
        func beyondStop(_ x: Double) -> Bool { !stop.isNaN && (long ? x <= stop : x >= stop) }
        func beyondTarget(_ x: Double) -> Bool { !target.isNaN && (long ? x >= target : x <= target) }
        let stopReached = beyondStop(long ? bar.low : bar.high), targetReached = beyondTarget(long ? bar.high : bar.low)
        if beyondStop(bar.open) {
            try close(at: bar.open, bar: index, time: time, reason: stopReason, slipped: true)
        } else if beyondTarget(bar.open) {
            try close(at: bar.open, bar: index, time: time, reason: .takeProfit, slipped: true)
        } else if stopReached, !(targetReached && targetFirst(bar, long: long)) {
            try close(at: stop, bar: index, time: time, reason: stopReason, slipped: true)
        } else if targetReached {
            try close(at: target, bar: index, time: time, reason: .takeProfit, slipped: true)
        }
    }

    /// Whether, with both levels inside `bar`, the target is taken to be reached first. `stop_first`:
    /// never (the worse outcome). `nearest_first`, TradingView's broker emulator: the price goes from
    /// the open to whichever of the high and the low is nearer, then to the other ("Broker
    /// emulator", https://www.tradingview.com/pine-script-docs/concepts/strategies/), so a long's
    /// target (above) comes first when the high is the nearer one; a tie goes to the high.
    private func targetFirst(_ bar: PriceBar, long: Bool) -> Bool {
        guard plan.execution.intrabar == .nearestFirst else { return false }
        let highFirst = bar.high - bar.open <= bar.open - bar.low
        return long == highFirst
    }

    /// End of a bar with levels re-read every bar: the stop and target as of this close apply to the next bar.
    mutating func moveLevels(_ context: EntryContext) {
        guard !position.isFlat else { return }
        let long = !position.quantity.isNegative
        func applies(_ side: StrategyDocument.PositionSide?) -> Bool { side == nil || (side == .long) == long }
        if case .level(_, let side) = plan.stopLoss { stopLevel = applies(side) ? context.stopLevel : .nan }
        if case .level(_, let side) = plan.takeProfit { targetLevel = applies(side) ? context.targetLevel : .nan }
    }

    /// End of a bar: the trailing extreme moves with the range the position was held through.
    mutating func closeBar(_ bar: PriceBar) {
        guard !position.isFlat else { return }
        if !openedAtClose { trail?.hold(through: bar) }
        openedAtClose = false
        barsInTrade += 1
    }

    // MARK: Fills

    /// The fill for a `side` order at `raw`: execution's paper rule with the document's slippage and tick.
    private func fillPrice(_ raw: Double, _ side: Side) throws(StrategyError) -> FixedDecimal { try plan.fills.price(raw, side) }

    private mutating func fill(_ side: Side, _ quantity: FixedDecimal, at price: FixedDecimal, time: Int64) throws(StrategyError) -> PositionState.Closing? {
        try arithmetic { () throws(ArithmeticError) in
            let fee = try FillPricing.fee(quantity, at: price, rate: plan.fills.feeRate)
            let closing = try ledger.apply(Fill(side: side, quantity: quantity, price: price, fee: fee, timeNs: time), to: &position, botId: "")
            cashValue = cash.doubleValue
            quantityValue = position.quantity.doubleValue
            averageValue = position.averagePrice.doubleValue
            return closing
        }
    }

    private mutating func close(at raw: Double, bar: Int, time: Int64, reason: ExitReason, slipped: Bool = false) throws(StrategyError) {
        let side: Side = position.quantity.isNegative ? .buy : .sell
        let quantity = try arithmetic { () throws(ArithmeticError) in try position.quantity.magnitude }
        let price = try fillPrice(raw, side)
        let entry = (bar: entryBar, time: position.openedAtNs)
        guard let closing = try fill(side, quantity, at: price, time: time) else { return }
        record.add(pnl: closing.realizedPnl.doubleValue)
        trades.append(
            BacktestTrade(
                side: closing.side, entryBar: entry.bar, entryTimeNs: entry.time, entryPrice: closing.entryPrice, exitBar: bar, exitTimeNs: time,
                exitPrice: closing.exitPrice, quantity: closing.quantity, pnl: closing.realizedPnl, fees: closing.fees, exitReason: reason))
        entries = 0
        stopLevel = .nan
        targetLevel = .nan
        trail = nil
        openedAtClose = false
    }

    private mutating func enter(_ side: Side, at raw: Double, bar: Int, time: Int64, context: EntryContext, atClose: Bool) throws(StrategyError) {
        let price = try fillPrice(raw, side)
        let quantity = try plan.entryQuantity(
            side, price: price, cash: cash, equity: equity(at: price.doubleValue), context: context, record: record)
        guard quantity > .zero else { return }
        let wasFlat = position.isFlat
        _ = try fill(side, quantity, at: price, time: time)
        entries += 1
        if wasFlat {
            entryBar = bar
            barsInTrade = 0
            openedAtClose = atClose
            trail = plan.trailingStop.map {
                TrailingStop($0, long: side == .buy, entry: price.doubleValue, atr: context.trailATR, activation: plan.trailingActivation)
            }
        } else {
            trail?.reprice(atr: context.trailATR)
        }
        let average = position.averagePrice.doubleValue
        let long = side == .buy
        func level(_ d: StrategyPlan.Distance?, fixed: Double, atr: Double, towardLoss: Bool) -> Double {
            let sign: Double = (long == towardLoss) ? -1 : 1
            switch d {
            case .percent(let pct): return average * (1 + sign * pct / 100)
            case .atr(let multiple, _): return atr.isNaN ? .nan : average + sign * multiple * atr
            case .points(let points): return average + sign * points
            case .price: return fixed
            case .level(_, let side): return side == nil || (side == .long) == long ? fixed : .nan
            case nil: return .nan
            }
        }
        stopLevel = level(plan.stopLoss, fixed: context.stopLevel, atr: context.stopATR, towardLoss: true)
        targetLevel = level(plan.takeProfit, fixed: context.targetLevel, atr: context.targetATR, towardLoss: false)
    }

    /// The open position as a trade, marked at `close` (fees so far only).
    func openTrade(markedAt close: Double) throws(StrategyError) -> BacktestTrade? {
        guard !position.isFlat else { return nil }
        return try arithmetic { () throws(ArithmeticError) in
            let mark = try FixedDecimal(approximating: close)
            return BacktestTrade(
                side: position.quantity.isNegative ? .sell : .buy, entryBar: entryBar, entryTimeNs: position.openedAtNs,
                entryPrice: position.averagePrice, exitBar: nil, exitTimeNs: nil, exitPrice: nil, quantity: try position.quantity.magnitude,
                pnl: try (try position.unrealizedPnl(at: mark)) - position.openFees, fees: position.openFees, exitReason: nil)
        }
    }
}

/// Runs exact arithmetic, turning an overflow into a strategy error that says what to change.
func arithmetic<T>(_ body: () throws(ArithmeticError) -> T) throws(StrategyError) -> T {
    do {
        return try body()
    } catch {
        throw StrategyError(.invalidValue, "an amount left the exact range (±92 billion): \(error.message); use a smaller cash or quantity")
    }
}
