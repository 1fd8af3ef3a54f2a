import TradingCore
import Wire

// The order book's domain types (TradingCore's Order, OrderFill, Trade, OrderRules, PositionState)
// and their wire forms: execution converts at its RPC edges and its storage (rows keep the wire
// encoding), nowhere else.

extension OrderType {
    /// The type a wire value names; nil for `unspecified`, `stop_limit` (not traded) or an unknown number.
    public init?(wire: PB.OrderType) {
        switch wire {
        case .market: self = .market
        case .limit: self = .limit
        case .stop: self = .stop
        case .unspecified, .stopLimit, .unrecognized: return nil
        }
    }

    /// The wire value.
    public var wire: PB.OrderType {
        switch self {
        case .market: .market
        case .limit: .limit
        case .stop: .stop
        }
    }
}

extension TimeInForce {
    /// The time in force a wire value names; nil for `unspecified` or an unknown number.
    public init?(wire: PB.TimeInForce) {
        switch wire {
        case .gtc: self = .gtc
        case .ioc: self = .ioc
        case .fok: self = .fok
        case .day: self = .day
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The wire value.
    public var wire: PB.TimeInForce {
        switch self {
        case .gtc: .gtc
        case .ioc: .ioc
        case .fok: .fok
        case .day: .day
        }
    }
}

extension OrderStatus {
    /// The status a wire value names; nil for `unspecified` or an unknown number.
    public init?(wire: PB.OrderStatus) {
        switch wire {
        case .new: self = .new
        case .partiallyFilled: self = .partiallyFilled
        case .filled: self = .filled
        case .canceled: self = .canceled
        case .rejected: self = .rejected
        case .expired: self = .expired
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The wire value.
    public var wire: PB.OrderStatus {
        switch self {
        case .new: .new
        case .partiallyFilled: .partiallyFilled
        case .filled: .filled
        case .canceled: .canceled
        case .rejected: .rejected
        case .expired: .expired
        }
    }

    /// The wire number (1 = new … 6 = expired), as stored in tables.
    public var wireNumber: Int { Int(wire.rawValue) }
}

extension OrderFill {
    /// The fill a wire message describes; nil when its side is missing.
    public init?(wire f: PB.Fill) {
        guard let side = Side(wire: f.side) else { return nil }
        self.init(
            id: f.id, orderId: f.orderId, accountId: f.accountId, symbol: f.symbol,
            fill: Fill(side: side, quantity: FixedDecimal(wire: f.quantity), price: FixedDecimal(wire: f.price), fee: FixedDecimal(wire: f.fee), timeNs: f.tsNs),
            feeCurrency: f.feeCurrency)
    }

    /// The wire message.
    public var wire: PB.Fill {
        PB.Fill(
            id: id, orderId: orderId, accountId: accountId, symbol: symbol, side: fill.side.wire, quantity: fill.quantity.wire, price: fill.price.wire,
            fee: fill.fee.wire, feeCurrency: feeCurrency, tsNs: fill.timeNs)
    }
}

extension Order {
    /// The order a wire message describes; nil when its side, type, time in force or status is
    /// missing or unknown (a message this build did not write).
    public init?(wire o: PB.Order) {
        guard let side = Side(wire: o.side), let type = OrderType(wire: o.type), let tif = TimeInForce(wire: o.timeInForce),
            let status = OrderStatus(wire: o.status)
        else { return nil }
        self.init(
            id: o.id, accountId: o.accountId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: side, type: type, timeInForce: tif,
            quantity: FixedDecimal(wire: o.quantity), limitPrice: o.limitPrice.map(FixedDecimal.init(wire:)),
            stopPrice: o.stopPrice.map(FixedDecimal.init(wire:)), botId: o.botId, broker: o.broker, createdAtNs: o.createdAtNs,
            stopLoss: o.stopLoss.map(FixedDecimal.init(wire:)), takeProfit: o.takeProfit.map(FixedDecimal.init(wire:)))
        self.status = status
        filledQuantity = FixedDecimal(wire: o.filledQuantity)
        averageFillPrice = FixedDecimal(wire: o.averageFillPrice)
        fees = FixedDecimal(wire: o.fees)
        rejectReason = o.rejectReason
        brokerOrderId = o.brokerOrderId
        updatedAtNs = o.updatedAtNs
        fills = o.fills.compactMap(OrderFill.init(wire:))
    }

    /// The wire message.
    public var wire: PB.Order {
        PB.Order(
            id: id, accountId: accountId, clientOrderId: clientOrderId, symbol: symbol, side: side.wire, type: type.wire, timeInForce: timeInForce.wire,
            quantity: quantity.wire, limitPrice: limitPrice?.wire, stopPrice: stopPrice?.wire, status: status.wire, filledQuantity: filledQuantity.wire,
            averageFillPrice: averageFillPrice.wire, fees: fees.wire, rejectReason: rejectReason, botId: botId, broker: broker,
            brokerOrderId: brokerOrderId, createdAtNs: createdAtNs, updatedAtNs: updatedAtNs, stopLoss: stopLoss?.wire, takeProfit: takeProfit?.wire,
            fills: fills.map(\.wire))
    }
}

extension Trade {
    /// The trade a wire message describes; nil when its side is missing. An exit reason this
    /// build does not know reads as `signal`.
    public init?(wire t: PB.Trade) {
        guard let side = Side(wire: t.side) else { return nil }
        self.init(
            id: t.id, accountId: t.accountId, symbol: t.symbol,
            closing: PositionState.Closing(
                side: side, quantity: FixedDecimal(wire: t.quantity), entryPrice: FixedDecimal(wire: t.entryPrice),
                exitPrice: FixedDecimal(wire: t.exitPrice), realizedPnl: FixedDecimal(wire: t.realizedPnl), fees: FixedDecimal(wire: t.fees),
                openedAtNs: t.openedAtNs, botId: t.botId),
            closedAtNs: t.closedAtNs, exitReason: ExitReason(rawValue: t.exitReason) ?? .signal)
    }

    /// The wire message.
    public var wire: PB.Trade {
        PB.Trade(
            id: id, accountId: accountId, symbol: symbol, side: closing.side.wire, quantity: closing.quantity.wire, entryPrice: closing.entryPrice.wire,
            exitPrice: closing.exitPrice.wire, realizedPnl: closing.realizedPnl.wire, fees: closing.fees.wire, openedAtNs: closing.openedAtNs,
            closedAtNs: closedAtNs, botId: closing.botId, exitReason: exitReason.rawValue)
    }
}

extension OrderRules {
    /// The rules of the instrument market-data describes.
    public init(wire i: PB.Instrument) {
        self.init(
            symbol: i.symbol, quoteCurrency: i.quoteCurrency, tickSize: FixedDecimal(wire: i.tickSize), lotSize: FixedDecimal(wire: i.lotSize),
            minNotional: FixedDecimal(wire: i.minNotional))
    }
}

extension PositionState {
    /// The position on the wire, as `account` holds it, marked at `mark`.
    public func wire(account: String, mark: FixedDecimal) throws(ArithmeticError) -> PB.Position {
        PB.Position(
            accountId: account, symbol: symbol, quantity: quantity.wire, averagePrice: averagePrice.wire, marketPrice: mark.wire,
            unrealizedPnl: try unrealizedPnl(at: mark).wire, realizedPnl: realizedPnl.wire, stopLoss: stopLoss.wire, takeProfit: takeProfit.wire,
            openedAtNs: openedAtNs, updatedAtNs: updatedAtNs)
    }
}
