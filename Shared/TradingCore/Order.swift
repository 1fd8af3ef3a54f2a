/// How an order is priced.
public enum OrderType: String, Sendable, Hashable, CaseIterable {
    /// At the market's price now.
    case market
    /// At its limit price or better, once the market reaches it.
    case limit
    /// A market order once the last price crosses its stop price.
    case stop
}

/// How long an order works.
public enum TimeInForce: String, Sendable, Hashable, CaseIterable {
    /// Good till cancelled.
    case gtc
    /// Immediate or cancel: what does not fill at once expires.
    case ioc
    /// Fill or kill: all at once or nothing.
    case fok
    /// Until the session ends.
    case day
}

/// Where an order is in its life.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
    case new
    case partiallyFilled = "partially_filled"
    case filled, canceled, rejected, expired

    /// True while the order can still fill.
    public var isWorking: Bool { self == .new || self == .partiallyFilled }
}

/// A fill as an account's books record it: the ledger's `Fill`, which order and account it
/// belongs to, and the currency its fee was paid in.
public struct OrderFill: Sendable, Hashable {
    /// The fill's own id.
    public var id: String
    /// The order it filled.
    public var orderId: String
    public var accountId: String
    public var symbol: String
    /// Side, quantity, price, fee and time, as the ledger applies them.
    public var fill: Fill
    /// What the fee was paid in (the account's currency).
    public var feeCurrency: String

    /// A recorded fill.
    public init(id: String, orderId: String, accountId: String, symbol: String, fill: Fill, feeCurrency: String) {
        self.id = id
        self.orderId = orderId
        self.accountId = accountId
        self.symbol = symbol
        self.fill = fill
        self.feeCurrency = feeCurrency
    }
}

/// An order an account placed: what it asks for, and what became of it.
public struct Order: Sendable, Hashable {
    /// The order's id (a lower-case UUID).
    public var id: String
    /// The account it trades for.
    public var accountId: String
    /// The idempotency key: a submit repeated with it finds this order.
    public var clientOrderId: String
    /// The canonical symbol.
    public var symbol: String
    public var side: Side
    public var type: OrderType
    public var timeInForce: TimeInForce
    /// Positive.
    public var quantity: FixedDecimal
    /// Set for limit orders only.
    public var limitPrice: FixedDecimal?
    /// Set for stop orders only.
    public var stopPrice: FixedDecimal?
    public var status: OrderStatus = .new
    /// How much has filled, at what average price, for what fees so far.
    public var filledQuantity: FixedDecimal = .zero
    public var averageFillPrice: FixedDecimal = .zero
    public var fees: FixedDecimal = .zero
    /// Why the order was rejected or expired; empty otherwise.
    public var rejectReason = ""
    /// The bot that placed it; empty for a manual order.
    public var botId: String
    /// The broker that works it (the account's).
    public var broker: String
    /// The venue's id for it, once a venue has one.
    public var brokerOrderId = ""
    /// Unix nanoseconds.
    public var createdAtNs: Int64
    public var updatedAtNs: Int64
    /// Protective exits the position takes when this order opens or adds to it.
    public var stopLoss: FixedDecimal?
    public var takeProfit: FixedDecimal?
    /// The fills so far, oldest first.
    public var fills: [OrderFill] = []

    /// A new order (status `new`, nothing filled).
    public init(
        id: String, accountId: String, clientOrderId: String, symbol: String, side: Side, type: OrderType, timeInForce: TimeInForce,
        quantity: FixedDecimal, limitPrice: FixedDecimal? = nil, stopPrice: FixedDecimal? = nil, botId: String = "", broker: String,
        createdAtNs: Int64, stopLoss: FixedDecimal? = nil, takeProfit: FixedDecimal? = nil
    ) {
        self.id = id
        self.accountId = accountId
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.side = side
        self.type = type
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.limitPrice = limitPrice
        self.stopPrice = stopPrice
        self.botId = botId
        self.broker = broker
        self.createdAtNs = createdAtNs
        self.updatedAtNs = createdAtNs
        self.stopLoss = stopLoss
        self.takeProfit = takeProfit
    }

    /// Records `fill` as filling the whole order, at `now`.
    public mutating func record(filledBy fill: OrderFill, at now: Int64) {
        status = .filled
        filledQuantity = fill.fill.quantity
        averageFillPrice = fill.fill.price
        fees = fill.fill.fee
        fills = [fill]
        updatedAtNs = now
    }

    /// Ends the order unfilled with `status` (rejected, expired) for `reason`, at `now`.
    public mutating func end(_ status: OrderStatus, reason: String, at now: Int64) {
        self.status = status
        rejectReason = reason
        updatedAtNs = now
    }
}

/// One round trip an account closed: a `PositionState.Closing` with its identity, when it closed
/// and why.
public struct Trade: Sendable, Hashable {
    /// The trade's own id.
    public var id: String
    public var accountId: String
    public var symbol: String
    /// Direction, quantity, entry and exit prices, fees and net P&L of the round trip.
    public var closing: PositionState.Closing
    /// Unix nanoseconds.
    public var closedAtNs: Int64
    public var exitReason: ExitReason

    /// A closed round trip.
    public init(id: String, accountId: String, symbol: String, closing: PositionState.Closing, closedAtNs: Int64, exitReason: ExitReason) {
        self.id = id
        self.accountId = accountId
        self.symbol = symbol
        self.closing = closing
        self.closedAtNs = closedAtNs
        self.exitReason = exitReason
    }
}

/// The steps an instrument's orders keep to.
public struct OrderRules: Sendable, Hashable {
    /// The canonical symbol.
    public var symbol: String
    /// What prices and notionals are in.
    public var quoteCurrency: String
    /// Smallest price step, smallest quantity step, smallest order value; zero: no rule.
    public var tickSize: FixedDecimal
    public var lotSize: FixedDecimal
    public var minNotional: FixedDecimal

    /// Rules for `symbol`.
    public init(symbol: String, quoteCurrency: String, tickSize: FixedDecimal, lotSize: FixedDecimal, minNotional: FixedDecimal) {
        self.symbol = symbol
        self.quoteCurrency = quoteCurrency
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
    }
}
