import Contract
import Foundation
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

/// The `Execution` RPC service.
struct ExecutionHandlers: ExecutionService {
    let desk: OrderDesk
    let brokers: [String: any Broker]
    var store: Store { desk.store }
    var settings: ExecutionSettings { desk.settings }

    // MARK: Accounts

    func createAccount(_ request: PB.CreateAccountRequest, context: ServerCallContext) async throws -> PB.Account {
        let owner = request.ownerId.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty, owner.count <= 128 else { throw ExecutionError(.invalidArgument, "owner_id is missing (at most 128 characters)") }
        let mode: AccountMode
        if request.mode == .unspecified { mode = .paper } else {
            guard let given = AccountMode(wire: request.mode) else { throw ExecutionError(.invalidArgument, "mode is unknown: paper, demo or live") }
            mode = given
        }
        let brokerName = request.broker.isEmpty ? PaperBroker.name : request.broker
        guard let broker = brokers[brokerName] else {
            throw ExecutionError(.invalidArgument, "broker \"\(brokerName)\" is unknown; this build has: \(brokers.keys.sorted().joined(separator: ", "))")
        }
        guard broker.modes.contains(mode) else {
            throw ExecutionError(.unsupported, "the \(brokerName) broker does not trade \(mode.rawValue) accounts")
        }
        let currency = request.baseCurrency.isEmpty ? "USD" : request.baseCurrency.uppercased()
        guard (2...8).contains(currency.count), currency.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw ExecutionError(.invalidArgument, "base_currency \"\(request.baseCurrency.prefix(20))\" is not a currency code such as USD or USDT")
        }
        let cash = try request.initialCash.map { FixedDecimal(wire: $0) } ?? FixedDecimal(settings.defaultInitialCash)
        guard cash > .zero else { throw ExecutionError(.invalidArgument, "initial_cash must be positive (got \(cash))") }
        let account = AccountRecord(
            id: UUID().uuidString.lowercased(), ownerId: owner, mode: mode, broker: brokerName, currency: currency, cash: cash,
            realizedPnl: .zero, createdAtNs: WallClock.nowNs)
        try await store.withTransaction { tx in
            try await Accounts.insert(account, tx)
            try await Trades.sampleEquity(account: account.id, cash, at: account.createdAtNs, tx)
        }
        return try account.wire(marked: [])
    }

    func getAccount(_ request: PB.AccountRequest, context: ServerCallContext) async throws -> PB.Account {
        let account = try await requireAccount(request.accountId)
        return try account.wire(marked: desk.marked(try await Positions.open(account: account.id, store)))
    }

    func getEquityHistory(_ request: PB.EquityHistoryRequest, context: ServerCallContext) async throws -> PB.EquityHistoryResponse {
        let account = try await requireAccount(request.accountId)
        let range = try (request.range ?? PB.TimeRange()).checked()
        let samples = try await Trades.equity(account: account.id, range: range, limit: 100_000, store)
        return PB.EquityHistoryResponse(samples: samples.map { PB.EquitySample(tsNs: $0.tsNs, equity: $0.equity.wire) })
    }

    // MARK: Orders

    func submitOrder(_ request: PB.SubmitOrderRequest, context: ServerCallContext) async throws -> PB.Order {
        let actor = request.botId.isEmpty ? context.peerName : "bot:\(request.botId) via \(context.peerName)"
        return try await desk.submit(try OrderTicket(wire: request), exitReason: request.botId.isEmpty ? .manual : .signal, actor: actor).wire
    }

    func cancelOrder(_ request: PB.CancelOrderRequest, context: ServerCallContext) async throws -> PB.Order {
        try await desk.cancel(account: request.accountId, orderId: request.orderId, actor: context.peerName).wire
    }

    func getOrder(_ request: PB.GetOrderRequest, context: ServerCallContext) async throws -> PB.Order {
        let account = try await requireAccount(request.accountId)
        switch request.key {
        case .orderId(let text):
            let id = try OrderDesk.orderId(text)
            guard let (order, _) = try await Orders.find(id: id, store), order.accountId == account.id else {
                throw ExecutionError(.unknownOrder, "account \(account.id) has no order \(id)")
            }
            return order.wire
        case .clientOrderId(let clientId):
            guard let order = try await Orders.find(account: account.id, clientOrderId: clientId.trimmingCharacters(in: .whitespaces), store) else {
                throw ExecutionError(.unknownOrder, "account \(account.id) has no order with client_order_id \"\(clientId.prefix(64))\"")
            }
            return order.wire
        case nil:
            throw ExecutionError(.invalidArgument, "name the order: order_id or client_order_id")
        }
    }

    func listOrders(_ request: PB.ListOrdersRequest, context: ServerCallContext) async throws -> PB.ListOrdersResponse {
        let account = try await requireAccount(request.accountId)
        let paging = try PageCursor.Paging(request.page, invalid: ExecutionErrorCode.invalidArgument)
        var statuses: [OrderStatus] = []
        for status in request.statuses {
            guard let known = OrderStatus(wire: status) else { throw ExecutionError(.invalidArgument, "statuses names an unknown order status") }
            statuses.append(known)
        }
        let orders = try await Orders.page(
            account: account.id, statuses: statuses, symbol: request.symbol.trimmingCharacters(in: .whitespaces), after: paging.after,
            limit: paging.fetch, store)
        let (page, info) = paging.page(orders) { ($0.createdAtNs, $0.id) }
        return PB.ListOrdersResponse(orders: page.map(\.wire), page: info)
    }

    // MARK: Positions and trades

    func listPositions(_ request: PB.AccountRequest, context: ServerCallContext) async throws -> PB.ListPositionsResponse {
        let account = try await requireAccount(request.accountId)
        let positions = desk.marked(try await Positions.open(account: account.id, store))
        return PB.ListPositionsResponse(positions: try positions.map { p throws(ExecutionError) in try p.wire(account: account.id) })
    }

    func listTrades(_ request: PB.ListTradesRequest, context: ServerCallContext) async throws -> PB.ListTradesResponse {
        let account = try await requireAccount(request.accountId)
        let paging = try PageCursor.Paging(request.page, invalid: ExecutionErrorCode.invalidArgument)
        let trades = try await Trades.page(
            account: account.id, symbol: request.symbol.trimmingCharacters(in: .whitespaces), botId: request.botId, range: try (request.range ?? PB.TimeRange()).checked(),
            after: paging.after, limit: paging.fetch, store)
        let (page, info) = paging.page(trades) { ($0.closedAtNs, $0.id) }
        return PB.ListTradesResponse(trades: page.map(\.wire), page: info)
    }

    // MARK: Events

    /// Every order, fill, position and trade event of the account from now on, until the caller cancels.
    func streamOrderEvents(_ request: PB.AccountRequest, context: ServerCallContext, writer: StreamWriter<PB.OrderEvent>) async throws {
        let account = try await requireAccount(request.accountId)
        let id = account.id
        for await item in desk.events.stream.subscribe(accepts: { $0.account == id }) {
            try await writer.write(item.event)
        }
    }

    // MARK: Arguments

    private func requireAccount(_ text: String) async throws -> AccountRecord {
        let id = try OrderTicket.accountId(text)
        guard let account = try await Accounts.find(id, store) else { throw ExecutionError(.unknownAccount, "there is no account \(id)") }
        return account
    }
}
