@testable import Bus
import Logging
import ServiceKitTesting
import Testing
import Wire

func makeBus(bufferLimit: Int = 8192) throws -> Bus {
    var config = BusConfiguration()
    config.host = TestEnvironment.redisHost
    config.port = TestEnvironment.redisPort
    config.prefix = TestEnvironment.uniqueName("t") + ":"
    config.subscriberBufferLimit = bufferLimit
    return try Bus(configuration: config, logger: Logger(label: "test"))
}

@Suite("Bus against a real Redis", .timeLimit(.minutes(1)))
struct BusTests {
    @Test("a published contract message arrives decoded on an exact and a pattern subscription")
    func publishSubscribe() async throws {
        let bus = try makeBus()
        defer { bus.shutdown() }
        let exact = try bus.subscribe(channels: [BusChannel.tick("BTC/USDT")])
        let pattern = try bus.subscribe(patterns: ["tw.md.tick.*"])
        defer { exact.cancel(); pattern.cancel() }
        try await exact.waitUntilSubscribed()
        try await pattern.waitUntilSubscribed()
        let tick = PB.Tick(symbol: "BTC/USDT", tsNs: 1, price: 65_000.5, size: 0.25)
        #expect(try bus.publish(BusChannel.tick("BTC/USDT"), tick))
        for subscription in [exact, pattern] {
            for await (channel, message) in bus.messages(PB.Tick.self, from: subscription) {
                #expect(channel == "tw.md.tick.BTC/USDT")
                #expect(message == tick)
                break
            }
        }
    }

    @Test("one publisher fans out to many subscribers and every one gets every message in order")
    func fanOut() async throws {
        let bus = try makeBus()
        defer { bus.shutdown() }
        let subs = try (0..<10).map { _ in try bus.subscribe(channels: ["tw.sys.test"]) }
        defer { subs.forEach { $0.cancel() } }
        for s in subs { try await s.waitUntilSubscribed() }
        for i in 0..<1000 { bus.publish("tw.sys.test", payload: Array(String(i).utf8)) }
        try await withThrowingTaskGroup(of: [Int].self) { group in
            for s in subs {
                group.addTask {
                    var got: [Int] = []
                    for await d in s {
                        if case .message(_, let p) = d { got.append(Int(String(decoding: p, as: UTF8.self))!) }
                        if got.count == 1000 { break }
                    }
                    return got
                }
            }
            for try await got in group { #expect(got == Array(0..<1000)) }
        }
    }

    @Test("a consumer that falls behind loses the oldest messages, counted, keeps the newest in order, and the publisher is never blocked")
    func slowConsumerDrops() async throws {
        let bus = try makeBus(bufferLimit: 100)
        defer { bus.shutdown() }
        let sub = try bus.subscribe(channels: ["tw.sys.slow"])
        defer { sub.cancel() }
        try await sub.waitUntilSubscribed()
        var accepted = 0
        for i in 0..<5000 where bus.publish("tw.sys.slow", payload: [UInt8(i & 0xFF)]) { accepted += 1 }
        #expect(accepted == 5000)
        for _ in 0..<200 where sub.droppedCount < 4900 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(sub.droppedCount == 4900)
        // The newest 100, in order, whatever bursts they arrived in.
        var kept: [UInt8] = []
        for await delivery in sub {
            if case .message(_, let payload) = delivery { kept += payload }
            if kept.count == 100 { break }
        }
        #expect(kept == (4900..<5000).map { UInt8($0 & 0xFF) })
    }

    @Test("after Redis drops the connection the subscription comes back and says so")
    func resubscribe() async throws {
        let bus = try makeBus()
        defer { bus.shutdown() }
        let sub = try bus.subscribe(channels: ["tw.sys.reconnect"])
        defer { sub.cancel() }
        try await sub.waitUntilSubscribed()
        // Kill every pub/sub client connection from the server side.
        let admin = try RedisConnection(host: TestEnvironment.redisHost, port: TestEnvironment.redisPort)
        let name = "tw-sub-" + bus.configuration.prefix.filter { $0 != ":" }
        let list = try admin.command(["CLIENT", "LIST"].map { Array($0.utf8) }).text ?? ""
        let ids = list.split(separator: "\n").filter { $0.contains("name=\(name) ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
        }
        #expect(ids.count == 1)
        for id in ids { _ = try admin.command(["CLIENT", "KILL", "ID", id].map { Array($0.utf8) }) }
        var iterator = sub.makeAsyncIterator()
        #expect(await iterator.next() == .resubscribed)
        bus.publish("tw.sys.reconnect", payload: [42])
        if case .message(_, let p)? = await iterator.next() { #expect(p == [42]) } else { Issue.record("no message after resubscribe") }
    }

    @Test("latest quotes live in a hash per symbol")
    func quoteHash() async throws {
        let bus = try makeBus()
        defer { bus.shutdown() }
        try await bus.setFields(BusChannel.quoteKey("ETH/USDT"), [("last", "3100.5"), ("bid", "3100.4")])
        #expect(try await bus.fields(BusChannel.quoteKey("ETH/USDT")) == ["last": "3100.5", "bid": "3100.4"])
        #expect(try await bus.fields(BusChannel.quoteKey("NOPE")) == [:])
    }

    @Test("channel names with spaces or control characters are refused")
    func invalidChannel() throws {
        let bus = try makeBus()
        defer { bus.shutdown() }
        #expect(throws: BusError.self) { try bus.subscribe(channels: ["bad channel"]) }
    }
}
