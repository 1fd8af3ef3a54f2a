import RPC
import Bus
import Contract
import TradingCore
import Wire

// Execution's RPC edge: requests parsed into its domain types and its answers put on the wire.
// Everything behind the handlers (the desk, brokers, trigger book, storage) works in TradingCore's
// Order, OrderFill, Trade and PositionState.

extension AccountMode {
    /// The mode a wire value names; nil for `unspecified` or an unknown number.
    init?(wire: PB.AccountMode) {
        switch wire {
        case .paper: self = .paper
        case .demo: self = .demo
        case .live: self = .live
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The wire value (its number is what the `accounts` table stores).
    var wire: PB.AccountMode {
        switch self {
        case .paper: .paper
        case .demo: .demo
        case .live: .live
        }
    }
}

extension OrderTicket {
    /// The ticket a submit request asks for, or the first field that is wrong.
    init(wire request: PB.SubmitOrderRequest) throws(ExecutionError) {
        guard let side = Side(wire: request.side) else { throw ExecutionError(.invalidArgument, "side is missing: buy or sell") }
        guard let type = OrderType(wire: request.type) else {
            throw request.type == .stopLimit
                ? ExecutionError(.unsupported, "stop-limit orders are not supported yet; use a stop order")
                : ExecutionError(.invalidArgument, "type is missing: market, limit or stop")
        }
        var tif: TimeInForce?
        if request.timeInForce != .unspecified {
            guard let given = TimeInForce(wire: request.timeInForce) else {
                throw ExecutionError(.invalidArgument, "time_in_force is unknown: gtc, ioc, fok or day")
            }
            tif = given
        }
        try self.init(
            accountId: request.accountId, clientOrderId: request.clientOrderId, symbol: request.symbol, side: side, type: type, timeInForce: tif,
            quantity: FixedDecimal(wire: request.quantity), limitPrice: FixedDecimal(wire: request.limitPrice),
            stopPrice: FixedDecimal(wire: request.stopPrice), stopLoss: FixedDecimal(wire: request.stopLoss),
            takeProfit: FixedDecimal(wire: request.takeProfit), botId: request.botId)
    }
}

extension MarkedPosition {
    /// The position on the wire, as `account` holds it.
    func wire(account: String) throws(ExecutionError) -> PB.Position {
        try OrderDesk.exact { () throws(ArithmeticError) in try state.wire(account: account, mark: mark) }
    }
}

extension AccountRecord {
    /// The account on the wire, with `positions` marked at their prices.
    func wire(marked positions: [MarkedPosition]) throws(ExecutionError) -> PB.Account {
        let value = try valuation(positions)
        return PB.Account(
            id: id, ownerId: ownerId, mode: mode.wire, broker: broker, baseCurrency: currency,
            balances: [PB.Balance(currency: currency, total: cash.wire, available: cash.wire, locked: FixedDecimal.zero.wire)],
            equity: value.equity.wire, unrealizedPnl: value.unrealizedPnl.wire, realizedPnl: realizedPnl.wire, createdAtNs: createdAtNs)
    }
}

extension PB.TimeRange {
    /// The range as `[from, to)` Unix nanoseconds (`to` 0: open-ended), checked.
    func checked() throws(ExecutionError) -> TimeWindow {
        if toNs != 0, fromNs >= toNs {
            throw ExecutionError(.invalidArgument, "range.from_ns (\(fromNs)) must be before range.to_ns (\(toNs))")
        }
        return TimeWindow(fromNs: fromNs, toNs: toNs)
    }
}

extension LedgerOutcome {
    /// The events one ledger step makes, each with its bus channel, in the order it happened:
    /// the order, its fill, the trade it closed, the position it left.
    func wireEvents() throws(ExecutionError) -> [(channel: String, event: PB.OrderEvent)] {
        let account = order.accountId
        var events: [(String, PB.OrderEvent)] = [(BusChannel.order(account: account), PB.OrderEvent(tsNs: order.updatedAtNs, event: .order(order.wire)))]
        if let fill { events.append((BusChannel.fill(account: account), PB.OrderEvent(tsNs: fill.fill.timeNs, event: .fill(fill.wire)))) }
        if let trade {
            events.append((BusChannel.position(account: account), PB.OrderEvent(tsNs: trade.closedAtNs, event: .trade(trade.wire))))
        }
        if let position {
            events.append((BusChannel.position(account: account), PB.OrderEvent(tsNs: position.state.updatedAtNs, event: .position(try position.wire(account: account)))))
        }
        return events
    }
}
