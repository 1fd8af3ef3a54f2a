import RPC
import Foundation
import TradingCore

/// What a submit asks for, each field checked on its own (the wire request parsed at the edge, or
/// an order the desk places itself, such as a stop loss closing a position).
struct OrderTicket: Sendable, Hashable {
    var accountId: String
    /// Empty: the desk makes one up (the submit is then not idempotent).
    var clientOrderId: String
    var symbol: String
    var side: Side
    var type: OrderType
    var timeInForce: TimeInForce
    /// Positive.
    var quantity: FixedDecimal
    /// Required (positive) for limit orders, ignored otherwise.
    var limitPrice: FixedDecimal?
    /// Required (positive) for stop orders, ignored otherwise.
    var stopPrice: FixedDecimal?
    var stopLoss: FixedDecimal?
    var takeProfit: FixedDecimal?
    var botId: String = ""

    /// A ticket; the time in force defaults to IOC for market orders and GTC otherwise.
    init(
        accountId: String, clientOrderId: String = "", symbol: String, side: Side, type: OrderType, timeInForce: TimeInForce? = nil,
        quantity: FixedDecimal, limitPrice: FixedDecimal? = nil, stopPrice: FixedDecimal? = nil, stopLoss: FixedDecimal? = nil,
        takeProfit: FixedDecimal? = nil, botId: String = ""
    ) throws(ExecutionError) {
        self.accountId = try Self.accountId(accountId)
        self.clientOrderId = clientOrderId.trimmingCharacters(in: .whitespaces)
        guard self.clientOrderId.count <= 64, !self.clientOrderId.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ExecutionError(.invalidArgument, "client_order_id must be at most 64 printable characters")
        }
        self.symbol = symbol
        self.side = side
        self.type = type
        self.timeInForce = timeInForce ?? (type == .market ? .ioc : .gtc)
        guard quantity > .zero else { throw ExecutionError(.invalidArgument, "quantity must be positive (got \(quantity))") }
        self.quantity = quantity
        if type == .limit {
            guard let limitPrice, limitPrice > .zero else { throw ExecutionError(.orderRules, "limit_price must be positive for a limit order") }
            self.limitPrice = limitPrice
        }
        if type == .stop {
            guard let stopPrice, stopPrice > .zero else { throw ExecutionError(.orderRules, "stop_price must be positive for a stop order") }
            self.stopPrice = stopPrice
        }
        let sl = stopLoss.flatMap { $0.isZero ? nil : $0 }, tp = takeProfit.flatMap { $0.isZero ? nil : $0 }
        guard !(sl?.isNegative ?? false), !(tp?.isNegative ?? false) else {
            throw ExecutionError(.invalidArgument, "stop_loss and take_profit must not be negative")
        }
        if let sl, let tp, side == .buy ? sl >= tp : sl <= tp {
            throw ExecutionError(
                .orderRules,
                side == .buy ? "a buy's stop_loss (\(sl)) must be below its take_profit (\(tp))" : "a sell's stop_loss (\(sl)) must be above its take_profit (\(tp))")
        }
        self.stopLoss = sl
        self.takeProfit = tp
        self.botId = botId
    }

    /// The account id as stored (a lower-case UUID), or why it is not one.
    static func accountId(_ text: String) throws(ExecutionError) -> String {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ExecutionError(.invalidArgument, "account_id \"\(text.prefix(60))\" is not an account id (a UUID from CreateAccount)")
        }
        return id.uuidString.lowercased()
    }

    /// The new order this ticket makes on an instrument with `rules`, for `account`: its quantity
    /// and prices checked against the instrument's lot and tick sizes.
    func order(account: AccountRecord, rules: OrderRules, now: Int64) throws(ExecutionError) -> Order {
        if rules.lotSize > .zero, quantity.raw % rules.lotSize.raw != 0 {
            throw ExecutionError(.orderRules, "quantity \(quantity) is not a multiple of \(rules.symbol)'s lot size \(rules.lotSize)")
        }
        if let limitPrice { try Self.requireTick(limitPrice, "limit_price", rules) }
        if let stopPrice { try Self.requireTick(stopPrice, "stop_price", rules) }
        return Order(
            id: UUID().uuidString.lowercased(), accountId: account.id, clientOrderId: clientOrderId.isEmpty ? UUID().uuidString.lowercased() : clientOrderId,
            symbol: rules.symbol, side: side, type: type, timeInForce: timeInForce, quantity: quantity, limitPrice: limitPrice, stopPrice: stopPrice,
            botId: botId, broker: account.broker, createdAtNs: now, stopLoss: stopLoss, takeProfit: takeProfit)
    }

    private static func requireTick(_ price: FixedDecimal, _ field: String, _ rules: OrderRules) throws(ExecutionError) {
        if rules.tickSize > .zero, price.raw % rules.tickSize.raw != 0 {
            throw ExecutionError(.orderRules, "\(field) \(price) is not a multiple of \(rules.symbol)'s tick size \(rules.tickSize)")
        }
    }
}
