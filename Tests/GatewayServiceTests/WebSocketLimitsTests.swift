import Foundation
import GatewayService
import HummingbirdWSClient
import Logging
import NIOWebSocket
import ServiceKitTesting
import Testing

/// The WebSocket's protections and extensions: connections per user and subscriptions per
/// connection are bounded with a clear answer, a client that stops answering pings is closed, and
/// permessage-deflate is negotiated when the client offers it.
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
            try await withThrowingTaskGroup(of: Void.self) { holders in
                // Two connections held open; the first also tries a third subscription.
                for n in 0..<2 {
                    holders.addTask {
                        try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, outbound, _ in
                            if n == 0 {
                                for channel in ["orders", "positions", "orders", "backtests"] {
                                    try await outbound.write(.text(#"{"type":"subscribe","channel":"\#(channel)"}"#))
                                }
                            } else {
                                try await outbound.write(.text(#"{"type":"ping"}"#))
                            }
                            // Cancelled, the connection is closed from this side: waiting for a
                            // message that never comes could otherwise outlive the test.
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
                let refused = try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, _, _ in
                    for try await _ in inbound.messages(maxSize: 1 << 16) {}
                }
                #expect(refused?.closeCode == .policyViolation && refused?.reason?.hasPrefix("ws.too_many_connections") == true, "\(String(describing: refused))")
                holders.cancelAll()
            }
            let texts = answers.all
            #expect(texts.filter { $0.contains(#""type":"subscribed""#) }.count == 3, "\(texts)")  // orders (twice: no new subscription), positions
            #expect(texts.contains { $0.contains("ws.too_many_subscriptions") })
            // Once the held connections have ended, a new one is let in.
            let pong = try await eventually("a place freed") { () -> Bool? in
                let got = Collected()
                _ = try await WebSocketClient.connect(url: url, logger: Logger(label: "ws")) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"ping"}"#))
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        if case .text(let text) = message { got.append(text); break }
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
}
