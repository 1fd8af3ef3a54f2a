import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import MarketDataService
import NIOCore
import ServiceKitTesting
import Synchronization

/// A local stand-in for a venue: REST routes and WebSocket streams answering in the venue's own
/// format, written by each test. Runs on a free loopback port for the length of `body`.
enum VenueServer {
    typealias Stream = @Sendable (_ request: String, _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws -> Void

    static func with(
        routes: (Hummingbird.Router<BasicRequestContext>) -> Void, streams: [String: Stream] = [:], _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let router = Hummingbird.Router()
        routes(router)
        let port = SharedValue(0)
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in
                let path = String(request.path?.split(separator: "?").first ?? "")
                guard let stream = streams[path] else { return .dontUpgrade }
                let uri = request.path ?? ""
                return .upgrade([:]) { inbound, outbound, _ in try await stream(uri, inbound, outbound) }
            },
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "venue"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            while port.current == 0 { try await Task.sleep(for: .milliseconds(10)) }
            try await body(port.current)
            group.cancelAll()
        }
    }

    /// A JSON response with `status` and `headers`.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// What a feed handed its sink: ticks, reported problems, connection changes.
final class SinkRecorder: Sendable {
    private let state = Mutex((ticks: [MarketTick](), issues: [String](), connected: [Bool]()))

    var ticks: [MarketTick] { state.withLock { $0.ticks } }
    var issues: [String] { state.withLock { $0.issues } }
    var connected: [Bool] { state.withLock { $0.connected } }

    /// A sink recording into this.
    var sink: FeedSink {
        FeedSink(
            deliver: { ticks, _ in self.state.withLock { $0.ticks += ticks } },
            report: { issue, detail in self.state.withLock { $0.issues.append("\(issue): \(detail)") } },
            connected: { up in self.state.withLock { $0.connected.append(up) } })
    }
}
