import Contract
import Testing
import TradingCore
import Wire

/// TradingCore's order book types and their wire forms: every field survives the trip, and a
/// message this build could not have written is refused rather than guessed at.
@Suite("Domain types on the wire")
struct DomainMappingTests {
    private static let fill = OrderFill(
        id: "f1", orderId: "o1", accountId: "a1", symbol: "BTC/USDT",
        fill: Fill(side: .sell, quantity: FixedDecimal(raw: 150_000_000), price: FixedDecimal(raw: 6_500_012_345_678), fee: FixedDecimal(raw: 97_500), timeNs: 42),
        feeCurrency: "USDT")

    @Test("an order with every field set comes back equal")
    func orderRoundTrip() throws {
        var order = Order(
            id: "o1", accountId: "a1", clientOrderId: "c1", symbol: "BTC/USDT", side: .sell, type: .limit, timeInForce: .fok,
            quantity: FixedDecimal(raw: 150_000_000), limitPrice: FixedDecimal(raw: 6_500_000_000_000), botId: "b1", broker: "paper", createdAtNs: 7,
            stopLoss: FixedDecimal(raw: 7_000_000_000_000), takeProfit: FixedDecimal(raw: 6_000_000_000_000))
        order.brokerOrderId = "venue-9"
        order.record(filledBy: Self.fill, at: 42)
        #expect(order.status == .filled && !order.status.isWorking)
        let back = try #require(Order(wire: try PB.Order(decoding: try order.wire.encodedBytes())))
        #expect(back == order)
    }

    @Test("a stop order keeps its stop price and no limit")
    func stopOrder() throws {
        let order = Order(
            id: "o2", accountId: "a1", clientOrderId: "c2", symbol: "AAPL", side: .buy, type: .stop, timeInForce: .day,
            quantity: FixedDecimal(raw: 100_000_000), stopPrice: FixedDecimal(raw: 19_000_000_000), broker: "paper", createdAtNs: 1)
        let wire = order.wire
        #expect(wire.limitPrice == nil && wire.stopPrice == FixedDecimal(raw: 19_000_000_000).wire)
        #expect(Order(wire: wire) == order)
    }

    @Test("a message without a side, type, time in force or status is refused")
    func refusesUnknowns() {
        let good = Order(
            id: "o3", accountId: "a1", clientOrderId: "c3", symbol: "AAPL", side: .buy, type: .market, timeInForce: .ioc,
            quantity: FixedDecimal(raw: 100_000_000), broker: "paper", createdAtNs: 1
        ).wire
        var noSide = good
        noSide.side = .unspecified
        var stopLimit = good
        stopLimit.type = .stopLimit
        var noTif = good
        noTif.timeInForce = .unrecognized(9)
        var noStatus = good
        noStatus.status = .unspecified
        for message in [noSide, stopLimit, noTif, noStatus] { #expect(Order(wire: message) == nil) }
        #expect(Order(wire: good) != nil)
    }

    @Test("a trade keeps its round trip and exit reason; an unknown reason reads as signal")
    func tradeRoundTrip() throws {
        let trade = Trade(
            id: "t1", accountId: "a1", symbol: "EUR/USD",
            closing: PositionState.Closing(
                side: .sell, quantity: FixedDecimal(raw: 1_000_000_000_000), entryPrice: FixedDecimal(raw: 108_000_000), exitPrice: FixedDecimal(raw: 107_500_000),
                realizedPnl: FixedDecimal(raw: 4_990_000_000), fees: FixedDecimal(raw: 10_000_000), openedAtNs: 3, botId: "b2"),
            closedAtNs: 9, exitReason: .trailingStop)
        #expect(Trade(wire: try PB.Trade(decoding: try trade.wire.encodedBytes())) == trade)
        var odd = trade.wire
        odd.exitReason = "margin_call"
        #expect(Trade(wire: odd)?.exitReason == .signal)
    }

    @Test("a position on the wire carries its unrealized P&L at the mark")
    func positionWire() throws {
        var position = PositionState(symbol: "AAPL")
        _ = try position.apply(side: .buy, quantity: FixedDecimal(raw: 1_000_000_000), price: FixedDecimal(raw: 10_000_000_000), fee: .zero, at: 5, botId: "")
        let wire = try position.wire(account: "a1", mark: FixedDecimal(raw: 10_500_000_000))
        #expect(FixedDecimal(wire: wire.unrealizedPnl) == FixedDecimal(raw: 5_000_000_000))
        #expect(wire.accountId == "a1" && wire.openedAtNs == 5)
    }
}
