import TradingCore

/// Everything a rule looks at for one order: the order, the account as execution reports it, the
/// limits and the kill switch.
struct CheckContext: Sendable {
    var symbol: String
    var side: Side
    var quantity: FixedDecimal
    /// The price notional is reckoned at: the intent's, else the latest quote.
    var price: FixedDecimal
    /// The account's signed position in `symbol` before the order.
    var positionBefore: FixedDecimal
    /// Symbols the account holds now.
    var openSymbols: Set<String>
    /// Σ |quantity| × mark over the account's positions, before the order.
    var grossNotional: FixedDecimal
    var equity: FixedDecimal
    /// Realized P&L of trades closed today (UTC) plus unrealized P&L now; negative is a loss.
    var pnlToday: FixedDecimal
    /// Highest equity recorded.
    var peakEquity: FixedDecimal
    var limits: Limits
    var killSwitch: KillSwitchRecord

    /// The signed position after the order fills.
    var positionAfter: FixedDecimal {
        get throws(ArithmeticError) { side == .buy ? try positionBefore + quantity : try positionBefore - quantity }
    }

    /// True when the order only shrinks the position toward flat (a reducing order is always allowed
    /// past exposure and loss limits: they exist to stop risk growing, not to trap a trader in it).
    var reduces: Bool {
        get throws(ArithmeticError) {
            let after = try positionAfter
            guard !positionBefore.isZero, after.isZero || after.isNegative == positionBefore.isNegative else { return false }
            return try after.magnitude < positionBefore.magnitude
        }
    }

    var orderNotional: FixedDecimal { get throws(ArithmeticError) { try quantity * price } }
}
