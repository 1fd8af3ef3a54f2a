import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization
import Wire

/// A connection to one RPC server, kept up by `run()`: connect, handshake, serve calls, and after a
/// loss reconnect with jittered exponential backoff. Calls multiplex over the one connection.
///
/// Calls made while there is no connection wait up to `connectWait` for an attempt in progress or
/// due within that time; when the next attempt is further off they fail fast with `unavailable`
/// (saying why and when the next attempt is). Once the peer is back, calls succeed again without
/// restarting anything.
public final class RPCClient: Service, Sendable {
    /// The settings this client was made with.
    public let configuration: RPCClientConfiguration
    /// The event loop the connection lives on; a caller task that prefers `executor` makes calls
    /// without thread hops.
    public let eventLoop: any EventLoop
    /// A task executor on `eventLoop`.
    public let executor: EventLoopTaskExecutor
    let logger: Logger
    private let nextStreamID = Atomic<UInt64>(1)
    private let state = Mutex(ClientConnectionState<Connection, ConnectionWaiter>())

    private struct Connection: @unchecked Sendable {
        // @unchecked Sendable: `handler` is only used through `eventLoop` (see ClientConnectionHandler).
        let channel: any Channel
        let handler: ClientConnectionHandler
    }

    /// A caller waiting for the connection: resumed once, by the connection's outcome or by its
    /// own deadline, whichever comes first (the other finds it already resumed).
    private final class ConnectionWaiter: Sendable {
        private let continuation: Mutex<CheckedContinuation<Connection, any Error>?>

        init(_ continuation: CheckedContinuation<Connection, any Error>) { self.continuation = Mutex(continuation) }

        func resume(_ result: Result<Connection, any Error>) {
            continuation.withLock { c -> CheckedContinuation<Connection, any Error>? in
                defer { c = nil }
                return c
            }?.resume(with: result)
        }
    }

    /// A client for `configuration.target`; nothing connects until `run()`.
    public init(
        configuration: RPCClientConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoop = group.next()
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.logger = logger
    }

    // MARK: Lifecycle

    /// Connects and keeps reconnecting until graceful shutdown or cancellation; then fails pending calls.
    public func run() async throws {
        var attempt = 0
        await withGracefulShutdownHandler {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                do {
                    let connection = try await connect()
                    attempt = 0
                    setConnected(connection)
                    await withTaskCancellationHandler {
                        try? await connection.channel.closeFuture.get()
                    } onCancel: {
                        connection.channel.close(promise: nil)
                    }
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.info("rpc connection lost; reconnecting", metadata: ["rpc.target": "\(configuration.target)"])
                    setConnecting()
                    continue
                } catch {
                    let delay = configuration.backoff.delay(attempt: attempt)
                    attempt += 1
                    let rpc = (error as? RPCError) ?? RPCError(code: .unavailable, message: "\(error)")
                    let message = "\(configuration.targetLabel) is unavailable: \(rpc.message)"
                    setWaiting(RPCError(code: rpc.code == .unauthenticated ? .unauthenticated : .unavailable, message: message), delay: delay)
                    if attempt == 1 || attempt % 20 == 0 {
                        logger.warning("rpc connect failed", metadata: ["rpc.target": "\(configuration.target)", "error": "\(rpc.message)"])
                    }
                    try? await Task.sleep(for: delay)
                    setConnecting()
                }
            }
        } onGracefulShutdown: {
            self.shutDown()
        }
        shutDown()
    }

    private func connect() async throws -> Connection {
        let handler = ClientConnectionHandler(eventLoop: eventLoop, configuration: configuration)
        let maxFrame = configuration.maxFrameBytes
        var tlsHost: String?
        if case .tcp(let host, _) = configuration.target, configuration.tls != nil { tlsHost = host }
        let tls = configuration.tls
        let initialize: @Sendable (any Channel) -> EventLoopFuture<Void> = { [tlsHost] channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls, let tlsHost {
                    // The server's certificate must name the host dialled (an IP address is checked against its IP SANs).
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: Self.isIPAddress(tlsHost) ? nil : tlsHost))
                }
                try channel.pipeline.syncOperations.addHandlers([
                    ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrame)),
                    handler,
                ])
            }
        }
        let channel: any Channel
        switch configuration.target {
        case .tcp(let host, let port):
            channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 1 << 20))
                .connectTimeout(configuration.connectTimeout)
                .channelInitializer(initialize)
                .connect(host: host, port: port).get()
        case .inProcess(let server):
            channel = try await InProcessConnection.connect(to: server, on: eventLoop, initialize: initialize)
        }
        do {
            // Stopping the client (cancellation) closes a connection still in its handshake, so a
            // peer that never answers the hello cannot hold a shutdown.
            try await withTaskCancellationHandler {
                try await handler.handshakeDone.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return Connection(channel: channel, handler: handler)
    }

    private func setConnected(_ connection: Connection) { perform(state.withLock { $0.connected(connection) }) }

    private func setConnecting() { perform(state.withLock { $0.reconnecting() }) }

    private func setWaiting(_ error: RPCError, delay: Duration) { perform(state.withLock { $0.failed(error, retryAt: .now + delay) }) }

    private func shutDown() { perform(state.withLock { $0.shutDown() }) }

    /// Carries out a transition's actions, outside the lock.
    private func perform(_ actions: ClientConnectionState<Connection, ConnectionWaiter>.Actions) {
        actions.close?.channel.close(promise: nil)
        if let result = actions.result {
            for w in actions.resume { w.resume(result.mapError { $0 }) }
        }
    }

    /// The live connection, or `unavailable` saying why there is none.
    private func connection() async throws(RPCError) -> Connection {
        switch state.withLock({ $0.call(now: .now, connectWait: configuration.connectWait, target: configuration.targetLabel) }) {
        case .ready(let c): return c
        case .fail(let e): throw e
        case .wait: return try await waitForConnection()
        }
    }

    /// Waits for the connection being made (or about to be), at most `connectWait`: the wait ends on time whatever
    /// the attempt does (a peer that accepts and never answers the hello holds it for the
    /// handshake's own, longer timeout, not the caller).
    private func waitForConnection() async throws(RPCError) -> Connection {
        do {
            return try await withCheckedThrowingContinuation { (c: CheckedContinuation<Connection, any Error>) in
                let waiter = ConnectionWaiter(c)
                let wait = configuration.connectWait, label = configuration.targetLabel
                if let immediate = state.withLock({ $0.wait(waiter, now: .now, connectWait: wait) }) {
                    waiter.resume(immediate.mapError { $0 })
                    return
                }
                eventLoop.scheduleTask(in: .nanoseconds(wait.components.seconds * 1_000_000_000 + wait.components.attoseconds / 1_000_000_000)) {
                    waiter.resume(.failure(RPCError(code: .unavailable, message: "\(label): no connection within \(wait)")))
                }
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(code: .unavailable, message: "\(configuration.targetLabel): \(error)")
        }
    }

    // MARK: Calls

    /// Calls a unary method. Inlinable so that encoding and decoding are specialized for the
    /// message types at the typed client (unspecialized, they instantiated generic metadata on
    /// every call).
    @inlinable
    public func unary<Req, Res>(
        _ method: MethodDescriptor<Req, Res>, _ request: Req, options: CallOptions = .init()
    ) async throws(RPCError) -> Res {
        let bytes = try await unary(method: method.fullName, payload: Self.encode(request), options: options)
        do {
            return try Res(decoding: bytes)
        } catch {
            throw RPCError(code: .internal, message: "\(method.fullName) answered with a malformed \(Res.protoName): \(error.message)")
        }
    }

    /// Calls a unary method with an already encoded request; returns the encoded response.
    public func unary(method: String, payload: [UInt8], options: CallOptions = .init()) async throws(RPCError) -> [UInt8] {
        let connection = try await connection()
        let id = nextStreamID.wrappingAdd(1, ordering: .relaxed).oldValue
        let timeout = options.timeout ?? configuration.defaultTimeout
        let traceparent = TraceContext.header(options.traceparent)
        let loop = eventLoop
        let handler = connection.handler
        do {
            return try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (c: UnsafeContinuation<[UInt8], any Error>) in
                    if loop.inEventLoop {
                        handler.start(id: id, method: method, payload: payload, timeout: timeout, traceparent: traceparent, pending: .unary(c))
                    } else {
                        loop.execute {
                            handler.start(id: id, method: method, payload: payload, timeout: timeout, traceparent: traceparent, pending: .unary(c))
                        }
                    }
                }
            } onCancel: {
                loop.execute { handler.cancel(id: id) }
            }
        } catch let e as RPCError {
            throw e
        } catch {
            throw RPCError(code: .internal, message: "\(error)")
        }
    }

    /// Calls a server-streaming method; the call starts when the stream is first iterated.
    @inlinable
    public func serverStreaming<Req, Res>(
        _ method: MethodDescriptor<Req, Res>, _ request: Req, options: CallOptions = .init()
    ) -> ResponseStream<Res> {
        ResponseStream { () async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error> in
            try await self.openStream(method: method.fullName, payload: Self.encode(request), options: options)
        }
    }

    /// Opens a server stream with an already encoded request; yields encoded items.
    public func openStream(method: String, payload: [UInt8], options: CallOptions = .init()) async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error> {
        let connection = try await connection()
        let id = nextStreamID.wrappingAdd(1, ordering: .relaxed).oldValue
        let traceparent = TraceContext.header(options.traceparent)
        let loop = eventLoop
        let handler = connection.handler
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream(
            bufferingPolicy: .bufferingOldest(configuration.streamBufferItems))
        continuation.onTermination = { reason in
            if case .cancelled = reason { loop.execute { handler.cancel(id: id) } }
        }
        loop.execute {
            handler.start(id: id, method: method, payload: payload, timeout: options.timeout, traceparent: traceparent, pending: .stream(continuation))
        }
        return stream
    }

    @inlinable
    static func encode<M: ProtoMessage>(_ message: M) throws(RPCError) -> [UInt8] {
        do {
            return try message.encodedBytes()
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message)
        }
    }
}
