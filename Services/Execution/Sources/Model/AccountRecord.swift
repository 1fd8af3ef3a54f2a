import Contract
import RPC
import TradingCore
import Wire

/// A stored account: its cash and realized P&L are the ledger; equity is marked on demand.
struct AccountRecord: Sendable, Hashable {
    var id: String
    var ownerId: String
    var mode: PB.AccountMode
    var broker: String
    var currency: String
    var cash: FixedDecimal
    var realizedPnl: FixedDecimal
    var createdAtNs: Int64

    /// The account on the wire, with `positions` marked at their prices.
    func wire(marked positions: [PB.Position]) throws(ExecutionError) -> PB.Account {
        do {
            var unrealized = FixedDecimal.zero, holdings = FixedDecimal.zero
            for p in positions {
                unrealized = try unrealized + FixedDecimal(wire: p.unrealizedPnl)
                holdings = try holdings + (try FixedDecimal(wire: p.quantity) * FixedDecimal(wire: p.marketPrice))
            }
            return PB.Account(
                id: id, ownerId: ownerId, mode: mode, broker: broker, baseCurrency: currency,
                balances: [PB.Balance(currency: currency, total: cash.wire, available: cash.wire, locked: FixedDecimal.zero.wire)],
                equity: try (cash + holdings).wire, unrealizedPnl: unrealized.wire, realizedPnl: realizedPnl.wire, createdAtNs: createdAtNs)
        } catch {
            throw ExecutionError(.arithmetic, "account \(id) does not fit fixed-point range: \(error.message)")
        }
    }
}
