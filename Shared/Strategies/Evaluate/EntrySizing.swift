import TradingCore

/// Closed trades' wins and losses, which Kelly sizing reads (a backtest keeps its own; a live bot
/// gets its account's).
public struct TradeRecord: Sendable, Hashable {
    /// The winners' total profit and the losers' total loss (positive).
    public var wins = 0.0, losses = 0.0
    public var winCount = 0, lossCount = 0

    /// No trades yet.
    public init() {}

    /// Counts one closed trade's net P&L (a flat one counts as neither).
    public mutating func add(pnl: Double) {
        if pnl > 0 {
            wins += pnl
            winCount += 1
        } else if pnl < 0 {
            losses -= pnl
            lossCount += 1
        }
    }
}

extension StrategyPlan {
    /// An entry's quantity under the plan's sizing, for the backtest's ledger and for live bots
    /// alike: the model's formula (`PositionSizing`, the risk service's too) at `price` on
    /// `equity`, never more than `cash` (long) or equity (short) pays for with fees, rounded down
    /// to the plan's lot. Zero when the model gives nothing (no stop to size to, a negative edge).
    func entryQuantity(
        _ side: Side, price: FixedDecimal, cash: FixedDecimal, equity: Double, context: EntryContext, record: TradeRecord
    ) throws(StrategyError) -> FixedDecimal {
        let feeRate = fills.feeRate
        let s = sizing
        let p = price.doubleValue
        let fraction = s.percent / 100
        let wanted: Double
        switch s.model {
        case .allIn: wanted = .infinity
        case .fixedQuantity: wanted = s.quantity
        case .fixedCash: wanted = s.amount / p
        case .percentEquity: wanted = equity * fraction / p
        case .riskPercent:
            let distance = stopDistanceForSizing(price: p, context: context)
            wanted = distance > 0 ? PositionSizing.fixedFraction(equity: equity, fraction: fraction, stopDistance: distance, price: p) : 0
        case .atr:
            wanted = PositionSizing.atr(equity: equity, fraction: fraction, atr: context.sizingATR.isNaN ? 0 : context.sizingATR, multiple: s.atrMultiple)
        case .kelly:
            let r = record
            if r.winCount + r.lossCount >= s.kellyMinTrades, r.winCount > 0, r.lossCount > 0 {
                let payoff = (r.wins / Double(r.winCount)) / (r.losses / Double(r.lossCount))
                wanted = PositionSizing.kelly(
                    equity: equity, winRate: Double(r.winCount) / Double(r.winCount + r.lossCount), payoff: payoff, scale: s.kellyFraction, price: p
                ).quantity
            } else {
                wanted = equity * fraction / p
            }
        }
        return try arithmetic { () throws(ArithmeticError) in
            // What the account can pay for: its cash (long) or its equity (short), fees included.
            let budget = side == .buy ? cash : try FixedDecimal(approximating: Swift.max(0, equity))
            guard budget > .zero, price > .zero else { return .zero }
            let unitCost = try price + (try price * feeRate)
            var quantity = try budget.divided(by: unitCost, rounding: .down)
            if wanted.isFinite {
                guard wanted > 0 else { return .zero }
                quantity = Swift.min(quantity, try FixedDecimal(approximating: Swift.min(wanted, 9e10)))
            }
            return try quantity.rounded(toMultipleOf: s.lot, rule: .down)
        }
    }

    /// The stop distance a risk-percent entry sizes to (the stop it is about to place).
    private func stopDistanceForSizing(price: Double, context: EntryContext) -> Double {
        switch stopLoss {
        case .percent(let pct): price * pct / 100
        case .atr(let multiple, _): context.stopATR.isNaN ? 0 : multiple * context.stopATR
        case .points(let points): points
        case .price, .level: context.stopLevel.isNaN ? 0 : Swift.abs(price - context.stopLevel)
        case nil: 0
        }
    }
}

extension LiveStrategy {
    /// The quantity to enter `side` on the latest bar at the reference price `price` (the fill the
    /// document's assumptions expect there), for an account with `cash` and `equity` (flat: its
    /// cash), by the same sizing code as the backtester (`record`: the account's closed trades, for
    /// Kelly). The caller still applies the venue's lot and the bot's caps.
    public func entryQuantity(_ side: Side, price: Double, cash: FixedDecimal, equity: Double, record: TradeRecord = TradeRecord()) throws(StrategyError)
        -> FixedDecimal
    {
        let expected = try plan.fills.price(price, side)
        return try plan.entryQuantity(side, price: expected, cash: cash, equity: equity, context: EntryContext(program, plan), record: record)
    }
}
