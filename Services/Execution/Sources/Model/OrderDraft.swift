import Contract
import Foundation
import RPC
import TradingCore
import Wire

/// A submit request checked field by field and turned into a new order (status `new`, no fills).
enum OrderDraft {
    /// The account id as stored (a lower-case UUID), or why it is not one.
    static func accountId(_ text: String) throws(ExecutionError) -> String {
        guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
            throw ExecutionError(.invalidArgument, "account_id \"\(text.prefix(60))\" is not an account id (a UUID from CreateAccount)")
        }
        return id.uuidString.lowercased()
    }

    /// The new order `request` asks for, on `instrument`, for `account`.
    static func make(_ request: PB.SubmitOrderRequest, account: AccountRecord, instrument: PB.Instrument, now: Int64) throws(ExecutionError) -> PB.Order {
        let clientId = request.clientOrderId.trimmingCharacters(in: .whitespaces)
        guard clientId.count <= 64, !clientId.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ExecutionError(.invalidArgument, "client_order_id must be at most 64 printable characters")
        }
        guard let side = Side(wire: request.side) else { throw ExecutionError(.invalidArgument, "side is missing: buy or sell") }
        let type = request.type
        guard [.market, .limit, .stop].contains(type) else {
            throw ExecutionError(
                type == .stopLimit ? .unsupported : .invalidArgument,
                type == .stopLimit ? "stop-limit orders are not supported yet; use a stop order" : "type is missing: market, limit or stop")
        }
        let quantity = FixedDecimal(wire: request.quantity)
        guard quantity > .zero else { throw ExecutionError(.invalidArgument, "quantity must be positive (got \(quantity))") }
        let lot = FixedDecimal(wire: instrument.lotSize)
        if lot > .zero, quantity.raw % lot.raw != 0 {
            throw ExecutionError(.invalidArgument, "quantity \(quantity) is not a multiple of \(instrument.symbol)'s lot size \(lot)")
        }
        let limit = FixedDecimal(wire: request.limitPrice), stop = FixedDecimal(wire: request.stopPrice)
        if type == .limit { try requirePrice(limit, "limit_price", instrument) }
        if type == .stop { try requirePrice(stop, "stop_price", instrument) }
        let stopLoss = FixedDecimal(wire: request.stopLoss), takeProfit = FixedDecimal(wire: request.takeProfit)
        guard !stopLoss.isNegative, !takeProfit.isNegative else { throw ExecutionError(.invalidArgument, "stop_loss and take_profit must not be negative") }
        if !stopLoss.isZero, !takeProfit.isZero, side == .buy ? stopLoss >= takeProfit : stopLoss <= takeProfit {
            throw ExecutionError(
                .invalidArgument,
                side == .buy ? "a buy's stop_loss (\(stopLoss)) must be below its take_profit (\(takeProfit))"
                    : "a sell's stop_loss (\(stopLoss)) must be above its take_profit (\(takeProfit))")
        }
        var tif = request.timeInForce
        switch tif {
        case .unspecified: tif = type == .market ? .ioc : .gtc
        case .gtc, .ioc, .fok, .day: break
        default: throw ExecutionError(.invalidArgument, "time_in_force is unknown: gtc, ioc, fok or day")
        }
        return PB.Order(
            id: UUID().uuidString.lowercased(), accountId: account.id, clientOrderId: clientId.isEmpty ? UUID().uuidString.lowercased() : clientId,
            symbol: instrument.symbol, side: side.wire, type: type, timeInForce: tif, quantity: quantity.wire,
            limitPrice: type == .limit ? limit.wire : nil, stopPrice: type == .stop ? stop.wire : nil, status: .new,
            filledQuantity: FixedDecimal.zero.wire, averageFillPrice: FixedDecimal.zero.wire, fees: FixedDecimal.zero.wire,
            botId: request.botId, broker: account.broker, createdAtNs: now, updatedAtNs: now,
            stopLoss: stopLoss.isZero ? nil : stopLoss.wire, takeProfit: takeProfit.isZero ? nil : takeProfit.wire)
    }

    private static func requirePrice(_ price: FixedDecimal, _ field: String, _ instrument: PB.Instrument) throws(ExecutionError) {
        guard price > .zero else { throw ExecutionError(.invalidArgument, "\(field) must be positive for this order type") }
        let tick = FixedDecimal(wire: instrument.tickSize)
        if tick > .zero, price.raw % tick.raw != 0 {
            throw ExecutionError(.invalidArgument, "\(field) \(price) is not a multiple of \(instrument.symbol)'s tick size \(tick)")
        }
    }
}
