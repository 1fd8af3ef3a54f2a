import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import Wire

/// Serves a `Router` over TCP (and in process, see `connectInProcess()`), as a `Service`.
///
/// Shutdown is graceful: stop accepting, send GOAWAY on every connection, let in-flight calls finish
/// within `drainTimeout`, cancel what is left, return.
public final class RPCServer: Service, Sendable {
    /// The settings this server was made with.
    public let configuration: RPCServerConfiguration
    let router: Router
    let group: any EventLoopGroup
    let logger: Logger
    let metrics = RPCServerMetrics()
    let registry: ConnectionRegistry
    private let bound = Mutex<BindState>(.notBound([]))

    private enum BindState {
        case notBound([CheckedContinuation<SocketAddress, any Error>])
        case bound(SocketAddress)
        case failed(any Error)
    }

    /// A server for `router`; validates the configuration. Nothing listens until `run()`.
    public init(
        configuration: RPCServerConfiguration, router: Router,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) throws(RPCError) {
        try configuration.validate()
        self.configuration = configuration
        self.router = router
        self.group = group
        self.logger = logger
        self.registry = ConnectionRegistry(metrics: metrics)
    }

    /// The address the server listens on, once it does (waits for `run()` to bind).
    public var localAddress: SocketAddress {
        get async throws {
            try await withCheckedThrowingContinuation { c in
                let result: Result<SocketAddress, any Error>? = bound.withLock { s in
                    switch s {
                    case .notBound(var waiters):
                        waiters.append(c)
                        s = .notBound(waiters)
                        return nil
                    case .bound(let a): return .success(a)
                    case .failed(let e): return .failure(e)
                    }
                }
                if let result { c.resume(with: result) }
            }
        }
    }

    private func setBound(_ result: Result<SocketAddress, any Error>) {
        let waiters = bound.withLock { s -> [CheckedContinuation<SocketAddress, any Error>] in
            guard case .notBound(let w) = s else { return [] }
            switch result {
            case .success(let a): s = .bound(a)
            case .failure(let e): s = .failed(e)
            }
            return w
        }
        for w in waiters { w.resume(with: result) }
    }

    func initializePipeline(_ channel: any Channel, tls: Bool = false) throws {
        let handler = ServerConnectionHandler(
            eventLoop: channel.eventLoop, router: router, configuration: configuration, metrics: metrics,
            registry: registry, logger: logger)
        if tls, let context = configuration.tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }
        try channel.pipeline.syncOperations.addHandlers([
            ByteToMessageHandler(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes)),
            handler,
        ])
    }

    /// Listens until graceful shutdown or cancellation, then drains connections.
    public func run() async throws {
        let serverChannel: any Channel
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try self.initializePipeline(channel, tls: true) }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            let e = RPCError(
                code: .unavailable,
                message: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
            setBound(.failure(e))
            throw e
        }
        setBound(.success(serverChannel.localAddress!))
        logger.info("rpc server listening", metadata: ["rpc.address": "\(serverChannel.localAddress!)"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                try? await serverChannel.closeFuture.get()
            } onCancel: {
                serverChannel.close(promise: nil)
            }
        } onGracefulShutdown: {
            serverChannel.close(promise: nil)
        }
        await drain()
    }

    /// GOAWAY to every connection, wait for calls to finish, then force what is left.
    private func drain() async {
        let connections = registry.all
        guard !connections.isEmpty else { return }
        logger.info("draining rpc connections", metadata: ["rpc.connections": "\(connections.count)"])
        for c in connections { c.eventLoop.execute { c.startDraining() } }
        let timeout = configuration.drainTimeout
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.registry.waitUntilEmpty(); return true }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(0, timeout.nanoseconds)))
                return false
            }
            if await group.next() == false {
                if Task.isCancelled {
                    self.logger.info("server task cancelled; closing remaining connections")
                } else {
                    self.logger.warning("drain timeout passed; cancelling remaining calls")
                }
                for c in self.registry.all { c.eventLoop.execute { c.forceClose() } }
                await self.registry.waitUntilEmpty()
            }
            group.cancelAll()
        }
    }
}
