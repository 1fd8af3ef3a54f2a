import Bus
import Contract
import Foundation
import PlatformTesting
import ServiceKit
import Wire
#if canImport(Glibc)
import Glibc
#endif
import GatewayService
import HummingbirdWSClient
import Logging
import NIOWebSocket
import ServiceKitTesting
import Synchronization
import Testing

/// The WebSocket's protections and extensions: connections per user and subscriptions per
/// connection are bounded with a clear answer, a client that stops answering pings is closed,
/// permessage-deflate is negotiated when the client offers it, and a client that stops reading
/// holds nobody else up.
@Suite struct WebSocketLimitsTests {
    static func token(_ http: HTTPJSONClient) async throws -> String {
        let r = try await http.call("POST", "/api/auth/register", json: #"{"email":"ws@example.com","password":"correct horse"}"#)
        return try #require(r.body["access_token"] as? String)
    }

    @Test func connectionsAndSubscriptionsAreBoundedWithAReason() async throws {
        try await withGateways(1, adjust: { $0.webSocketConnectionsPerUser = 2; $0.webSocketSubscriptions = 2 }) { gateways, _ in
            let http = gateways[0]
            let url = "ws://127.0.0.1:\(http.port)/ws?token=\(try await Self.token(http))"
            let answers = Collected()
            // Two connections held open; the first also tries a third subscription. Unstructured and
            // never awaited: the WebSocket client can miss its close handshake and wait forever
            // (swift-websocket), which must not hold the test; the gateway's side is what is checked.
            let holders = (0..<2).map { n in
                Task {
                    try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, outbound, _ in
                        if n == 0 {
                            for channel in ["orders", "positions", "orders", "backtests"] {
                                try await outbound.write(.text(#"{"type":"subscribe","channel":"\#(channel)"}"#))
                            }
                        } else {
                            try await outbound.write(.text(#"{"type":"ping"}"#))
                        }
                        // Cancelled, the connection is closed from this side.
                        try await withTaskCancellationHandler {
                            for try await message in inbound.messages(maxSize: 1 << 16) {
                                if case .text(let text) = message { answers.append(text) }
                            }
                        } onCancel: {
                            Task { try? await outbound.close(.normalClosure, reason: "done") }
                        }
                    }
                }
            }
            _ = try await eventually("both connections answered") { answers.all.count >= 5 ? true : nil }
            // A third is closed at once: policy violation, and why.
            let refused = await bounded(20) {
                try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, _, _ in
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                }
            }.flatMap { $0 }.flatMap { $0 }
            #expect(refused?.closeCode == .policyViolation && refused?.reason?.hasPrefix("ws.too_many_connections") == true, "\(String(describing: refused))")
            for holder in holders { holder.cancel() }
            let texts = answers.all
            #expect(texts.filter { $0.contains(#""type":"subscribed""#) }.count == 3, "\(texts)")  // orders (twice: no new subscription), positions
            #expect(texts.contains { $0.contains("ws.too_many_subscriptions") })
            // Once the held connections have ended, a new one is let in.
            let pong = try await eventually("a place freed") { () -> Bool? in
                let got = Collected()
                _ = await bounded(5) {
                    try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, outbound, _ in
                        try await outbound.write(.text(#"{"type":"ping"}"#))
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            if case .text(let text) = message { got.append(text); break }
                        }
                    }
                }
                return got.all.first == #"{"type":"pong"}"# ? true : nil
            }
            #expect(pong)
        }
    }

    @Test func aClientThatStopsAnsweringPingsIsClosed() async throws {
        try await withGateways(1, adjust: { $0.webSocketPingSeconds = 1 }) { gateways, _ in
            let http = gateways[0]
            let token = try await Self.token(http)
            // A raw client: it completes the handshake and then never answers the server's pings.
            let upgrade = "GET /ws?token=\(token) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            let seen = await HTTPProbe.exchange(port: http.port, request: upgrade, timeoutSeconds: 10) { $0.contains("Ping timeout") } ?? ""
            #expect(seen.hasPrefix("HTTP/1.1 101") && seen.contains("Ping timeout"), "\(seen.prefix(300))")
        }
    }

    @Test func permessageDeflateIsNegotiatedWhenOffered() async throws {
        try await withGateways(1) { gateways, _ in
            let http = gateways[0]
            let upgrade = "GET /ws?token=\(try await Self.token(http)) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            let offered = await rawHTTP(http.port, upgrade + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
            #expect(offered.hasPrefix("http/1.1 101") && offered.contains("sec-websocket-extensions: permessage-deflate"), "\(offered)")
            let plain = await rawHTTP(http.port, upgrade + "\r\n")
            #expect(plain.hasPrefix("http/1.1 101") && !plain.contains("sec-websocket-extensions"))
        }
    }

    /// A client that stops reading (a tiny receive buffer, never read) while 30,000 ticks go out:
    /// another client on the same symbol still gets the last tick at once; the stalled one, reading
    /// again, finds fewer messages (conflated to the latest) and the last price, and was not closed.
    @Test func aStalledClientHoldsNobodyUp() async throws {
        try await withGateways(1) { gateways, market in
            let http = gateways[0]
            let token = try await Self.token(http)
            let stalled = try #require(await StalledClient.open(port: http.port, token: token, symbol: "BTC/USDT"))
            let fast = Collected()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(http.port)/ws?token=\(token)", logger: Logger(label: "ws")) { inbound, outbound, _ in
                        try await outbound.write(.text(#"{"type":"subscribe","symbol":"BTC/USDT"}"#))
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            guard case .text(let text) = message else { continue }
                            fast.append(text)
                            if text.contains(#""price":130000"#) { return }
                        }
                    }
                }
                _ = try await eventually("the fast client subscribed") { fast.all.contains { $0.contains("subscribed") } ? true : nil }
                for i in 1...30_000 {
                    _ = try market.bus.publish(BusChannel.tick("BTC/USDT"), PB.Tick(symbol: "BTC/USDT", tsNs: WallClock.nowNs, price: Double(100_000 + i), size: 1))
                }
                try await group.waitForAll()
            }
            #expect(fast.all.last?.contains(#""price":130000"#) == true)
            let (read, closed) = await stalled.drain(until: #""price":130000"#)
            let updates = read.components(separatedBy: "market_update").count - 1
            #expect(read.contains(#""price":130000"#) && !closed, "\(read.suffix(300))")
            #expect(updates > 0 && updates < 30_000, "\(updates) updates reached the stalled client")
        }
    }
}

/// A raw WebSocket client with a tiny receive buffer that subscribes and then reads nothing until
/// asked (`drain`); its blocking socket work runs on threads of their own.
final class StalledClient: Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func open(port: Int, token: String, symbol: String) async -> StalledClient? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: blockingOpen(port: port, token: token, symbol: symbol)) }.start()
        }
    }

    private static func blockingOpen(port: Int, token: String, symbol: String) -> StalledClient? {
        guard let fd = HTTPProbe.connect(port: port, timeoutSeconds: 10, receiveBuffer: 2048) else { return nil }
        let upgrade = "GET /ws?token=\(token) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        // RFC 6455 §5.3: a client masks its frames.
        let payload = Array(#"{"type":"subscribe","symbol":"\#(symbol)"}"#.utf8), mask: [UInt8] = [1, 2, 3, 4]
        let frame = [0x81, 0x80 | UInt8(payload.count)] + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        let request = Array(upgrade.utf8) + frame
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var seen: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: seen, as: UTF8.self).contains("subscribed") {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else {
                close(fd)
                return nil
            }
            seen += chunk[..<n]
        }
        return StalledClient(fd: fd)
    }

    /// Reads until `marker` arrives, the connection ends or 10 s of silence; what was read, and
    /// whether the server closed the connection (a close frame, opcode 8, or the socket's end).
    func drain(until marker: String) async -> (String, Bool) {
        let fd = self.fd
        return await withCheckedContinuation { continuation in
            Thread {
                var read: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                var closed = false
                while true {
                    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n == 0 { closed = true }
                    if n <= 0 { break }
                    read += chunk[..<n]
                    if String(decoding: read.suffix(2048), as: UTF8.self).contains(marker) { break }
                }
                close(fd)
                continuation.resume(returning: (String(decoding: read, as: UTF8.self), closed))
            }.start()
        }
    }
}

/// What `body` gives within `seconds`, or nil: then `body` is cancelled and left to end by itself
/// (never awaited), so a client that waits forever cannot hold the test.
func bounded<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async -> T?? {
    let waiter = BoundedWaiter<T>()
    let work = Task { () -> T? in try? await body() }
    return await withCheckedContinuation { continuation in
        waiter.continuation.withLock { $0 = continuation }
        Task { waiter.resume(.some(await work.value)) }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            work.cancel()
            waiter.resume(nil)
        }
    }
}

/// `bounded`'s waiting caller, resumed once by whichever comes first.
final class BoundedWaiter<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T??, Never>?>(nil)
    func resume(_ value: T??) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
