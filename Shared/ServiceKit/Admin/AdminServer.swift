import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle
import Synchronization

/// The admin HTTP port: `GET /metrics` (Prometheus text), `/healthz` (the process is up) and
/// `/readyz` (every dependency is reachable; 503 with the failing ones otherwise).
public final class AdminServer: Service, Sendable {
    public typealias ReadinessCheck = @Sendable () async -> [String]

    let host: String
    let port: Int
    let readiness: ReadinessCheck
    let logger: Logger
    private let bound = Mutex<SocketAddress?>(nil)

    /// `readiness` returns the names of what is not ready (empty when ready).
    public init(host: String, port: Int, logger: Logger, readiness: @escaping ReadinessCheck) {
        self.host = host
        self.port = port
        self.logger = logger
        self.readiness = readiness
    }

    /// The bound address, once `run()` has bound it.
    public var localAddress: SocketAddress? { bound.withLock { $0 } }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let registry = Observability.registry
        let readiness = self.readiness
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        bound.withLock { $0 = channel.channel.localAddress }
        logger.info("admin http listening", metadata: ["admin.address": "\(channel.channel.localAddress!)"])
        await withGracefulShutdownHandler {
            try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask {
                            try? await Self.serve(connection, registry: registry, readiness: readiness)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        registry: PrometheusCollectorRegistry, readiness: ReadinessCheck
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .head(let head) = part else { continue }
                let (status, body, type): (HTTPResponseStatus, [UInt8], String)
                switch (head.method, head.uri.split(separator: "?").first.map(String.init) ?? head.uri) {
                case (.GET, "/metrics"):
                    var buffer: [UInt8] = []
                    registry.emit(into: &buffer)
                    (status, body, type) = (.ok, buffer, "text/plain; version=0.0.4")
                case (.GET, "/healthz"):
                    (status, body, type) = (.ok, Array("ok\n".utf8), "text/plain")
                case (.GET, "/readyz"):
                    let missing = await readiness()
                    (status, body, type) =
                        missing.isEmpty
                        ? (.ok, Array("ready\n".utf8), "text/plain")
                        : (.serviceUnavailable, Array("not ready: \(missing.joined(separator: ", "))\n".utf8), "text/plain")
                default:
                    (status, body, type) = (.notFound, Array("unknown path; try /metrics, /healthz, /readyz\n".utf8), "text/plain")
                }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: type)
                headers.add(name: "Content-Length", value: "\(body.count)")
                headers.add(name: "Connection", value: "close")
                try await outbound.write(.head(HTTPResponseHead(version: head.version, status: status, headers: headers)))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                try await outbound.write(.end(nil))
                // One request per connection: scrapes and probes are rare, and closing says "done"
                // to clients that read until EOF.
                return
            }
        }
    }
}
