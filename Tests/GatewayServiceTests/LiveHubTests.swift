import Bus
import Contract
import Foundation
import NIOCore
@testable import GatewayService
import Testing
import Wire

/// The hub's fan-out: each client gets the symbol as it subscribed it, the canonical one beside it.
@Suite struct LiveHubTests {
    @Test func eachSpellingGetsItsOwnRenderingAndTheCanonicalSymbolBesideIt() async throws {
        let hub = LiveHub(bus: nil)
        let (seed, canonical, other) = (LiveOutbox(), LiveOutbox(), LiveOutbox())
        let channel = BusChannel.tick("BTC/USDT")
        hub.add(1, channel: channel, seed, symbolAs: "BTCUSDT")
        hub.add(2, channel: channel, canonical, symbolAs: "BTC/USDT")
        hub.add(3, channel: channel, other, symbolAs: "BTCUSDT")
        hub.setReference("BTC/USDT", price24hAgo: 40_000)
        let tick = PB.Tick(symbol: "BTC/USDT", tsNs: 1_700_000_000_000_123_456, price: 41_000, size: 1)
        hub.deliver(channel, ArraySlice(try tick.encodedBytes()))
        for outbox in [seed, canonical, other] { outbox.finish() }
        func data(_ outbox: LiveOutbox) async throws -> [String: Any] {
            let texts = await Self.drain(outbox)
            #expect(texts.count == 1)
            let message = try #require(try JSONSerialization.jsonObject(with: Data((texts.first ?? "").utf8)) as? [String: Any])
            #expect(message["type"] as? String == "market_update")
            return try #require(message["data"] as? [String: Any])
        }
        let (a, b, c) = (try await data(seed), try await data(canonical), try await data(other))
        #expect(a["symbol"] as? String == "BTCUSDT" && c["symbol"] as? String == "BTCUSDT" && b["symbol"] as? String == "BTC/USDT")
        for d in [a, b, c] {
            #expect(d["canonical_symbol"] as? String == "BTC/USDT" && d["timestamp"] as? Int == 1_700_000_000_000)
            #expect(d["timestamp_ns"] as? String == "1700000000000123456" && abs((d["change"] as? Double ?? 0) - 2.5) < 1e-9)
        }
    }

    /// A client that reads nothing while 1,000 ticks and 10 orders arrive: the first ticks queue in
    /// order, then the rest conflate to one, the latest; every order is there in order; past the
    /// backlog limit the client is closed, not thinned.
    @Test func aSlowClientGetsTheLatestPriceAndEveryOrderOrIsClosed() async throws {
        let hub = LiveHub(bus: nil)
        let slow = LiveOutbox(backlogLimit: 20, conflateAbove: 5)
        let ticks = BusChannel.tick("BTC/USDT"), orders = BusChannel.order(account: "a")
        hub.add(1, channel: ticks, slow)
        hub.add(1, channel: orders, slow)
        for i in 0..<1_000 {
            hub.deliver(ticks, ArraySlice(try PB.Tick(symbol: "BTC/USDT", tsNs: 1_700_000_000_000_000_000 + Int64(i), price: Double(40_000 + i), size: 1).encodedBytes()))
            if i % 100 == 0 {
                hub.deliver(orders, ArraySlice(try PB.OrderEvent(event: .order(PB.Order(id: "o\(i / 100)", symbol: "BTC/USDT"))).encodedBytes()))
            }
        }
        slow.finish()
        let texts = await Self.drain(slow)
        let prices = texts.filter { $0.contains("market_update") }
        // Four ticks in order (with the first order, five messages wait), then one: the latest.
        #expect(prices.count == 5 && prices.first?.contains(#""price":40000"#) == true && prices.last?.contains(#""price":40999"#) == true, "\(prices)")
        #expect(texts.filter { $0.contains(#""type":"order""#) }.map { $0.contains(#""id":"o"#) } == Array(repeating: true, count: 10))
        #expect(!slow.overflowed)
        // One more order than it can hold: the client is to be closed.
        let full = LiveOutbox(backlogLimit: 2)
        for _ in 0..<3 { full.send("{}") }
        #expect(full.overflowed)
    }

    /// What a connection's writer would write, in order.
    static func drain(_ outbox: LiveOutbox) async -> [String] {
        var texts: [String] = []
        while let batch = await outbox.nextBatch() {
            for item in batch { if let text = outbox.take(item) { texts.append(String(buffer: text)) } }
        }
        return texts
    }
}
