import Bus
import Contract
import Foundation
@testable import GatewayService
import Testing
import Wire

/// The hub's fan-out: each client gets the symbol as it subscribed it, the canonical one beside it.
@Suite struct LiveHubTests {
    @Test func eachSpellingGetsItsOwnRenderingAndTheCanonicalSymbolBesideIt() async throws {
        let hub = LiveHub(bus: nil)
        let (seed, seedOutbox) = AsyncStream<String>.makeStream()
        let (canonical, canonicalOutbox) = AsyncStream<String>.makeStream()
        let (other, otherOutbox) = AsyncStream<String>.makeStream()
        let channel = BusChannel.tick("BTC/USDT")
        hub.add(1, channel: channel, seedOutbox, symbolAs: "BTCUSDT")
        hub.add(2, channel: channel, canonicalOutbox, symbolAs: "BTC/USDT")
        hub.add(3, channel: channel, otherOutbox, symbolAs: "BTCUSDT")
        hub.setReference("BTC/USDT", price24hAgo: 40_000)
        let tick = PB.Tick(symbol: "BTC/USDT", tsNs: 1_700_000_000_000_123_456, price: 41_000, size: 1)
        hub.deliver(channel, ArraySlice(try tick.encodedBytes()))
        for outbox in [seedOutbox, canonicalOutbox, otherOutbox] { outbox.finish() }
        func data(_ stream: AsyncStream<String>) async throws -> [String: Any] {
            var texts: [String] = []
            for await text in stream { texts.append(text) }
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
}
