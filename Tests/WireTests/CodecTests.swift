import CWireReference
import NIOCore
import Testing
import TradingCore
import Wire

@Suite("Generated messages over protobuf-c")
struct CodecTests {
    @Test("every message type survives C encode → Swift decode → Swift encode with identical bytes", arguments: 0..<20)
    func everyTypeRoundTrips(seed: Int) throws {
        var random = RandomMessages(rng: SplitMix64(seed: UInt64(seed) &* 7919))
        for type in MethodCatalog.messageTypes {
            let reference = try random.encoded(type)
            try roundTrip(type, reference)
        }
    }

    private func roundTrip<M: ProtoMessage>(_: M.Type, _ reference: [UInt8]) throws {
        let decoded = try M(decoding: reference)
        let again = try decoded.encodedBytes()
        #expect(again == reference, "\(M.protoName) re-encoded differently")
        #expect(try M(decoding: again) == decoded)
        var buffer = ByteBuffer()
        try decoded.encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == reference)
        #expect(try M(decoding: buffer) == decoded)
    }

    @Test("a Tick encodes to exactly the bytes of a protobuf-c struct filled by hand in C")
    func tickMatchesC() throws {
        let tick = PB.Tick(symbol: "BTC/USDT", tsNs: 1_700_000_000_123_456_789, price: 65_000.5, size: 0.25, bid: 65_000.4, ask: 65_000.6, aggressor: .sell, seq: 42)
        var out = [UInt8](repeating: 0, count: 256)
        let n = tw_ref_pack_tick("BTC/USDT", tick.tsNs, tick.price, tick.size, tick.bid, tick.ask, 2, 42, &out)
        #expect(try tick.encodedBytes() == Array(out[..<n]))
    }

    @Test("an Order with nested decimals and repeated fills matches the C encoding", arguments: [0, 1, 5])
    func orderMatchesC(fills: Int) throws {
        let qty = PB.Decimal(raw: 25_000_000), price = PB.Decimal(raw: 6_500_050_000_000)
        let order = PB.Order(
            id: "ord-1", accountId: "acct-1", clientOrderId: "cl-1", symbol: "ETH/USDT", side: .buy, type: .limit, timeInForce: .gtc,
            quantity: qty, limitPrice: price, status: .filled, createdAtNs: 99, updatedAtNs: 99,
            fills: (0..<fills).map { PB.Fill(id: "f\($0)", orderId: "ord-1", symbol: "ETH/USDT", side: .buy, quantity: qty, price: price, tsNs: 99 + Int64($0)) })
        var out = [UInt8](repeating: 0, count: 4096)
        let n = tw_ref_pack_order("ord-1", "ETH/USDT", 1, qty.raw, price.raw, 3, 99, fills, &out)
        #expect(try order.encodedBytes() == Array(out[..<n]))
        #expect(try PB.Order(decoding: Array(out[..<n])) == order)
    }

    @Test("oneof, optional (one-field oneof) and map fields keep what was set")
    func oneofOptionalMap() throws {
        let byClient = PB.GetOrderRequest(accountId: "a", key: .clientOrderId("c-9"))
        #expect(try PB.GetOrderRequest(decoding: byClient.encodedBytes()) == byClient)
        let rename = PB.UpdateBotRequest(id: "b", name: "")
        #expect(try PB.UpdateBotRequest(decoding: rename.encodedBytes()).name == "")
        #expect(try PB.UpdateBotRequest(decoding: PB.UpdateBotRequest(id: "b").encodedBytes()).name == nil)
        let snap = PB.IndicatorSnapshot(symbol: "X", values: ["rsi_14": 55.5, "sma_20": 1.25])
        #expect(try PB.IndicatorSnapshot(decoding: snap.encodedBytes()) == snap)
    }

    @Test("unknown enum numbers are kept, not lost")
    func unknownEnum() throws {
        let tick = PB.Tick(aggressor: .unrecognized(77))
        #expect(try PB.Tick(decoding: tick.encodedBytes()).aggressor == .unrecognized(77))
    }

    @Test("a string holding NUL is refused at encode time, naming the field")
    func nulRefused() throws {
        let error = #expect(throws: WireError.self) { try PB.Tick(symbol: "BTC\u{0}USDT").encodedBytes() }
        #expect(error?.code == .nulInString)
        #expect(error?.message.contains("Tick.symbol") == true)
    }

    @Test("a string field holding bytes that are not UTF-8 is refused at decode time")
    func invalidUTF8Refused() throws {
        // field 1 (symbol), length 2, bytes C3 28 (invalid UTF-8)
        let error = #expect(throws: WireError.self) { try PB.Tick(decoding: [0x0A, 0x02, 0xC3, 0x28]) }
        #expect(error?.code == .invalidUTF8)
    }

    @Test("truncated, garbage and over-long inputs decode to a typed error, never a crash")
    func malformedInputs() throws {
        let good = try PB.Order(id: "o", symbol: "S", quantity: PB.Decimal(raw: 5), fills: [PB.Fill(id: "f")]).encodedBytes()
        for cut in 1..<good.count {
            _ = try? PB.Order(decoding: Array(good[..<cut]))  // must not crash; some prefixes are valid messages
        }
        #expect(throws: WireError.self) { try PB.Order(decoding: Array(good.dropLast())) }
        var rng = SplitMix64(seed: 1)
        var errors = 0
        for _ in 0..<20_000 {
            let junk = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            do { _ = try PB.Order(decoding: junk) } catch { errors += 1 }
        }
        #expect(errors > 10_000)
        // A length field claiming far more than is there.
        #expect(throws: WireError.self) { try PB.Tick(decoding: [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x41]) }
    }

    @Test("large messages spill past the stack arena and still round-trip")
    func largeMessage() throws {
        let candles = (0..<10_000).map { PB.Candle(symbol: "BTC/USDT", timeframe: .m1, openTimeNs: Int64($0) * 60_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: Double($0), closed: true) }
        let response = PB.GetCandlesResponse(candles: candles, page: PB.PageInfo(nextCursor: "abc", hasMore: true))
        let bytes = try response.encodedBytes()
        #expect(try PB.GetCandlesResponse(decoding: bytes) == response)
    }

    @Test("JSON maps field names, enums and 64-bit integers as proto3 JSON does")
    func json() throws {
        let bytes = try ProtoJSON.encode(json: #"{"symbol":"BTC/USDT","tsNs":"17","aggressor":"SIDE_BUY","price":1.5}"#, as: PB.Tick.self)
        #expect(try PB.Tick(decoding: bytes) == PB.Tick(symbol: "BTC/USDT", tsNs: 17, price: 1.5, aggressor: .buy))
        let text = try ProtoJSON.decode(bytes, as: PB.Tick.self)
        #expect(text.contains(#""aggressor" : "SIDE_BUY""#))
        #expect(text.contains(#""tsNs" : "17""#))
        let error = #expect(throws: WireError.self) { try ProtoJSON.encode(json: #"{"nope":1}"#, as: PB.Tick.self) }
        #expect(error?.message.contains("no field \"nope\"") == true)
    }
}
