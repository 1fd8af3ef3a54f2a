import RPC
import TradingCore

/// What an account trades with: simulated money, a venue's demo or practice money, or real money.
enum AccountMode: String, Sendable, Hashable, CaseIterable {
    case paper, demo, live
}

/// A stored account: its cash and realized P&L are the ledger; equity is marked on demand.
struct AccountRecord: Sendable, Hashable {
    var id: String
    var ownerId: String
    var mode: AccountMode
    var broker: String
    var currency: String
    var cash: FixedDecimal
    var realizedPnl: FixedDecimal
    var createdAtNs: Int64

    /// Cash plus the market value of `positions`, and their unrealized P&L.
    func valuation(_ positions: [MarkedPosition]) throws(ExecutionError) -> (equity: FixedDecimal, unrealizedPnl: FixedDecimal) {
        do {
            var unrealized = FixedDecimal.zero, holdings = FixedDecimal.zero
            for p in positions {
                unrealized = try unrealized + p.unrealizedPnl
                holdings = try holdings + (try p.state.quantity * p.mark)
            }
            return (try cash + holdings, unrealized)
        } catch {
            throw ExecutionError(.arithmetic, "account \(id) does not fit fixed-point range: \(error.message)")
        }
    }
}

/// A position with the price it is marked at.
struct MarkedPosition: Sendable, Hashable {
    var state: PositionState
    var mark: FixedDecimal

    /// What closing it at the mark would realize, before fees.
    var unrealizedPnl: FixedDecimal {
        get throws(ArithmeticError) { try state.unrealizedPnl(at: mark) }
    }
}
