/// One fill as the ledger applies it: a side, a quantity at a price, what it cost, and when.
public struct Fill: Sendable, Hashable {
    public var side: Side
    /// Positive.
    public var quantity: FixedDecimal
    public var price: FixedDecimal
    /// What the fill cost, in the account's currency.
    public var fee: FixedDecimal
    /// Unix nanoseconds.
    public var timeNs: Int64

    /// A fill of `quantity` at `price` costing `fee`.
    public init(side: Side, quantity: FixedDecimal, price: FixedDecimal, fee: FixedDecimal, timeNs: Int64) {
        self.side = side
        self.quantity = quantity
        self.price = price
        self.fee = fee
        self.timeNs = timeNs
    }

    /// Quantity × price.
    public var notional: FixedDecimal { get throws(ArithmeticError) { try quantity * price } }
}

/// An account's money as fills move it, exact: cash (a buy pays notional and fee, a sell receives
/// notional less fee), and realized P&L from the round trips the fills close on each symbol's
/// `PositionState`. The one ledger execution's paper broker and the backtester both keep.
public struct Ledger: Sendable, Hashable {
    public var cash: FixedDecimal
    /// Net of fees, over every round trip closed.
    public var realizedPnl: FixedDecimal

    /// A ledger holding `cash`.
    public init(cash: FixedDecimal, realizedPnl: FixedDecimal = .zero) {
        self.cash = cash
        self.realizedPnl = realizedPnl
    }

    /// The cash after `fill`, without applying it (to refuse what the account cannot pay).
    public func cash(after fill: Fill) throws(ArithmeticError) -> FixedDecimal {
        let notional = try fill.notional
        return fill.side == .buy ? try cash - (try notional + fill.fee) : try cash + (try notional - fill.fee)
    }

    /// Applies `fill` to the cash and to `position` (its symbol's); the round trip it closed, if any.
    public mutating func apply(_ fill: Fill, to position: inout PositionState, botId: String) throws(ArithmeticError) -> PositionState.Closing? {
        let after = try cash(after: fill)
        let closing = try position.apply(side: fill.side, quantity: fill.quantity, price: fill.price, fee: fill.fee, at: fill.timeNs, botId: botId)
        cash = after
        if let closing { realizedPnl = try realizedPnl + closing.realizedPnl }
        return closing
    }
}
