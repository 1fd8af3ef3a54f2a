import RPC
import Foundation
import Logging
import ServiceKit
import Store
import TradingCore

/// What one ledger step wrote: the order as it now stands, and the fill, position and trade it made.
struct LedgerOutcome: Sendable {
    var order: Order
    var fill: OrderFill?
    var trade: Trade?
    /// The position as the step left it, marked at the fill's price.
    var position: MarkedPosition?
}

/// Takes orders in and applies fills to the ledger. Each step runs in one transaction holding the
/// account's row, so an account's orders apply one at a time (across instances too) and a submit
/// retried with the same client order id finds the first one. Events go out after the commit.
struct OrderDesk: Sendable {
    let store: Store
    let market: MarketView
    let brokers: [String: any Broker]
    let triggers: TriggerBook
    let events: OrderEvents
    let settings: ExecutionSettings
    let audit: AuditTrail
    let logger: Logger

    // MARK: Submit and cancel

    /// The order `ticket` asks for: filled, working or refused by the ledger (all stored, and the
    /// new order in the audit trail as `actor`'s); or, for a client order id seen before, the order it made then.
    func submit(_ ticket: OrderTicket, exitReason: ExitReason, actor: String) async throws -> Order {
        let accountId = ticket.accountId
        guard let account = try await Accounts.find(accountId, store) else {
            throw ExecutionError(.unknownAccount, "there is no account \(accountId)")
        }
        if !ticket.clientOrderId.isEmpty, let first = try await Orders.find(account: accountId, clientOrderId: ticket.clientOrderId, store) { return first }
        let rules = try await market.rules(ticket.symbol)
        let draft = try ticket.order(account: account, rules: rules, now: WallClock.nowNs)
        guard let broker = brokers[account.broker] else {
            throw ExecutionError(.unsupported, "account \(accountId) uses the broker \"\(account.broker)\", which this build does not have")
        }
        let price = draft.type == .market ? try await market.price(draft.symbol) : try? await market.price(draft.symbol)
        try Self.checkMinimumNotional(draft, at: price, rules: rules)
        let decision = try broker.decide(draft, at: price, rules: rules)
        let outcome: LedgerOutcome? = try await store.withTransaction { tx in
            guard var account = try await Accounts.find(accountId, locking: true, tx) else { return nil }
            if let first = try await Orders.find(account: accountId, clientOrderId: draft.clientOrderId, tx) {
                return LedgerOutcome(order: first)
            }
            var order = draft
            switch decision {
            case .fill(let price, let fee):
                return try await fill(&order, isNew: true, account: &account, price: price, fee: fee, exitReason: exitReason, tx)
            case .rest:
                try await Orders.insert(order, exitReason: exitReason, tx)
            case .expire(let reason):
                order.end(.expired, reason: reason, at: order.createdAtNs)
                try await Orders.insert(order, exitReason: exitReason, tx)
            }
            return LedgerOutcome(order: order)
        }
        guard let outcome else { throw ExecutionError(.unknownAccount, "there is no account \(accountId)") }
        if outcome.order.id == draft.id {
            let o = outcome.order
            await audit.record(AuditEvent(
                "execution.order_submitted", actor: actor, target: o.id, outcome: o.status.rawValue,
                detail: "\(o.side.rawValue) \(o.quantity) \(o.symbol) \(o.type.rawValue) on account \(o.accountId)\(o.rejectReason.isEmpty ? "" : ": " + o.rejectReason)"))
            finish(outcome)
            if decision == .rest { triggers.add(.order(outcome.order, rules: rules)) }
        }
        return outcome.order
    }

    /// Cancels a working order (recorded as `actor`'s); a finished one cannot be.
    func cancel(account accountId: String, orderId: String, actor: String) async throws -> Order {
        let accountId = try OrderTicket.accountId(accountId)
        let orderId = try Self.orderId(orderId)
        let order: Order = try await store.withTransaction { tx in
            guard try await Accounts.find(accountId, locking: true, tx) != nil else {
                throw ExecutionError(.unknownAccount, "there is no account \(accountId)")
            }
            guard var (order, _) = try await Orders.find(id: orderId, locking: true, tx), order.accountId == accountId else {
                throw ExecutionError(.unknownOrder, "account \(accountId) has no order \(orderId)")
            }
            guard order.status.isWorking else {
                throw ExecutionError(.notCancelable, "order \(orderId) is \(order.status.rawValue) and can no longer be canceled")
            }
            order.status = .canceled
            order.updatedAtNs = WallClock.nowNs
            try await Orders.update(order, tx)
            return order
        }
        triggers.remove(symbol: order.symbol, id: order.id)
        await audit.record(AuditEvent("execution.order_cancelled", actor: actor, target: order.id, detail: "account \(accountId)"))
        finish(LedgerOutcome(order: order))
        return order
    }

    // MARK: Triggers

    /// Acts on a watch the market fired: fills a working order, or closes a position at its stop
    /// loss or take profit. A failure puts the watch back, so the next tick tries again.
    func act(on watch: TriggerBook.Watch) async {
        do {
            switch watch {
            case .order(let order, let rules): try await fillWorking(order, rules: rules)
            case .position(let account, let position): try await closeProtected(account: account, position)
            }
        } catch {
            logger.warning("acting on a trigger failed; it stays armed", metadata: ["execution.symbol": "\(watch.symbol)", "error": "\(error)"])
            triggers.add(watch)
        }
    }

    private func fillWorking(_ watched: Order, rules: OrderRules) async throws {
        guard let broker = brokers[watched.broker] else { return }
        let price = try await market.price(watched.symbol)
        let outcome: LedgerOutcome? = try await store.withTransaction { tx in
            guard var account = try await Accounts.find(watched.accountId, locking: true, tx),
                let found = try await Orders.find(id: watched.id, locking: true, tx), found.order.status.isWorking
            else { return nil }
            var order = found.0
            let exitReason = found.1
            switch try broker.decide(order, at: price, rules: rules) {
            case .fill(let price, let fee):
                return try await fill(&order, isNew: false, account: &account, price: price, fee: fee, exitReason: exitReason, tx)
            case .rest:
                return LedgerOutcome(order: order)
            case .expire(let reason):
                order.end(.expired, reason: reason, at: WallClock.nowNs)
                try await Orders.update(order, tx)
                return LedgerOutcome(order: order)
            }
        }
        guard let outcome else { return }
        if outcome.order.status == .new {
            triggers.add(.order(outcome.order, rules: rules))
        } else {
            finish(outcome)
        }
    }

    private func closeProtected(account: String, _ watched: PositionState) async throws {
        let position = try await Positions.find(account: account, symbol: watched.symbol, store)
        guard let mark = market.heldPrice(position.symbol), let reason = position.protectiveExit(at: try FixedDecimal(approximating: mark.last)) else {
            triggers.update(account: account, position: position)
            return
        }
        let side: Side = position.quantity.isNegative ? .buy : .sell
        _ = try await submit(
            try OrderTicket(
                accountId: account, clientOrderId: "\(reason.rawValue):\(position.symbol):\(position.openedAtNs)", symbol: position.symbol,
                side: side, type: .market, timeInForce: .ioc, quantity: try position.quantity.magnitude, botId: position.botId),
            exitReason: reason, actor: "execution:\(reason.rawValue)")
        logger.info("position closed by its \(reason.rawValue)", metadata: ["execution.account": "\(account)", "execution.symbol": "\(position.symbol)"])
    }

    // MARK: The ledger

    /// Fills `order` in full at `price` for `fee`: cash, position, realized P&L, the fill, the trade
    /// it closes, an equity sample. An order the account cannot afford (or a sell beyond the
    /// holding, when shorting is off) is stored as rejected, with the reason.
    private func fill(
        _ order: inout Order, isNew: Bool, account: inout AccountRecord, price: FixedDecimal, fee: FixedDecimal, exitReason: ExitReason,
        _ tx: Transaction
    ) async throws -> LedgerOutcome {
        let now = WallClock.nowNs
        let side = order.side, quantity = order.quantity
        var position = try await Positions.find(account: account.id, symbol: order.symbol, locking: true, tx)
        var ledger = Ledger(cash: account.cash, realizedPnl: account.realizedPnl)
        let applied = Fill(side: side, quantity: quantity, price: price, fee: fee, timeNs: now)
        let cash = try Self.exact { () throws(ArithmeticError) in try ledger.cash(after: applied) }
        if let reason = try refusal(side: side, quantity: quantity, position: position, cashAfter: cash, account: account) {
            order.end(.rejected, reason: reason, at: now)
            if isNew { try await Orders.insert(order, exitReason: exitReason, tx) } else { try await Orders.update(order, tx) }
            return LedgerOutcome(order: order)
        }
        let closing = try Self.exact { () throws(ArithmeticError) in try ledger.apply(applied, to: &position, botId: order.botId) }
        // An order that opens or adds to the position sets its protective exits.
        if !position.isFlat, position.quantity.isNegative == (side == .sell) {
            if let sl = order.stopLoss { position.stopLoss = sl }
            if let tp = order.takeProfit { position.takeProfit = tp }
        }
        account.cash = ledger.cash
        account.realizedPnl = ledger.realizedPnl
        let fill = OrderFill(
            id: UUID().uuidString.lowercased(), orderId: order.id, accountId: account.id, symbol: order.symbol, fill: applied, feeCurrency: account.currency)
        order.record(filledBy: fill, at: now)
        let trade = closing.map { c in
            Trade(id: UUID().uuidString.lowercased(), accountId: account.id, symbol: order.symbol, closing: c, closedAtNs: now, exitReason: exitReason)
        }
        if isNew { try await Orders.insert(order, exitReason: exitReason, tx) } else { try await Orders.update(order, tx) }
        try await Orders.insertFill(fill, tx)
        try await Positions.upsert(account: account.id, position, tx)
        if let trade { try await Trades.insert(trade, tx) }
        try await Accounts.updateLedger(account, tx)
        let marked = marked(try await Positions.open(account: account.id, tx), fallback: (order.symbol, price))
        try await Trades.sampleEquity(account: account.id, try account.valuation(marked).equity, at: now, tx)
        return LedgerOutcome(order: order, fill: fill, trade: trade, position: MarkedPosition(state: position, mark: price))
    }

    /// Why the ledger refuses a fill, or nil.
    private func refusal(side: Side, quantity: FixedDecimal, position: PositionState, cashAfter: FixedDecimal, account: AccountRecord) throws -> String? {
        if side == .sell, !settings.allowShort {
            let held = max(position.quantity, .zero)
            if quantity > held { return "insufficient position: holding \(held) \(position.symbol), selling \(quantity) (short selling is off)" }
        }
        if side == .buy, cashAfter.isNegative {
            return "insufficient cash: the buy needs \(try Self.exact { () throws(ArithmeticError) in try account.cash - cashAfter }) \(account.currency), the account has \(account.cash)"
        }
        return nil
    }

    /// After a commit: events out, the position's watch updated.
    private func finish(_ outcome: LedgerOutcome) {
        events.publish(outcome)
        if let position = outcome.position { triggers.update(account: outcome.order.accountId, position: position.state) }
    }

    // MARK: Marking

    /// Positions marked at the latest prices held (the average price when none is; `fallback`
    /// names a symbol's price known better than that).
    func marked(_ positions: [PositionState], fallback: (symbol: String, price: FixedDecimal)? = nil) -> [MarkedPosition] {
        positions.map { p in
            var mark = p.averagePrice
            if let fallback, fallback.symbol == p.symbol { mark = fallback.price }
            if let held = market.heldPrice(p.symbol), let m = try? FixedDecimal(approximating: held.last) { mark = m }
            return MarkedPosition(state: p, mark: mark)
        }
    }

    // MARK: Helpers

    /// Refuses an order worth less than the venue's minimum notional (at its limit or stop, else the last price).
    private static func checkMinimumNotional(_ order: Order, at price: MarketView.Price?, rules: OrderRules) throws(ExecutionError) {
        let minimum = rules.minNotional
        guard minimum > .zero else { return }
        var reference = order.limitPrice ?? order.stopPrice ?? .zero
        if reference.isZero, let price { reference = (try? FixedDecimal(approximating: price.last)) ?? .zero }
        guard reference > .zero else { return }
        let notional = try exact { () throws(ArithmeticError) in try order.quantity * reference }
        if notional < minimum {
            throw ExecutionError(.orderRules, "the order is worth about \(notional) \(rules.quoteCurrency); \(rules.symbol) needs at least \(minimum)")
        }
    }


    static func orderId(_ text: String) throws(ExecutionError) -> String {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ExecutionError(.invalidArgument, "order_id \"\(text.prefix(60))\" is not an order id (a UUID from SubmitOrder)")
        }
        return id.uuidString.lowercased()
    }

    /// Runs fixed-point arithmetic; an overflow becomes an error naming it.
    static func exact<R>(_ body: () throws(ArithmeticError) -> R) throws(ExecutionError) -> R {
        do { return try body() } catch { throw ExecutionError(.arithmetic, "the amounts do not fit the fixed-point range: \(error.message)") }
    }
}
