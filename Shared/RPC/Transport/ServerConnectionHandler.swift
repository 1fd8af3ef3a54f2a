import Logging
import CoreMetrics
import NIOCore
import Wire

/// One server-side connection: handshake, call dispatch, deadlines, cancellation, stream
/// back-pressure, ping and drain.
///
/// Everything here runs on the channel's event loop. Each call's handler runs as a task whose
/// preferred executor is that same event loop (see `EventLoopTaskExecutor`), so answering a call
/// needs no thread hop. Calls are tracked in `calls` and cancelled when the connection goes.
final class ServerConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: every mutable property is read and written on `eventLoop` only;
    // entry points from tasks (`CallSink`) check `inEventLoop` and hop when needed.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case awaitingHello(nonce: [UInt8])
        case ready(peerName: String)
        case draining(peerName: String)
        case closed
    }

    struct ActiveCall {
        var task: Task<Void, Never>?
        let deadline: NIODeadline?
        let timeoutNs: Int64
        let kind: MethodKind
        let route: Router.Route
    }

    let eventLoop: any EventLoop
    let router: Router
    let configuration: RPCServerConfiguration
    let executor: EventLoopTaskExecutor
    let metrics: RPCServerMetrics
    let registry: ConnectionRegistry
    var logger: Logger

    private var context: ChannelHandlerContext?
    private var writer: FrameWriter?
    private var state: State
    private var calls: [UInt64: ActiveCall] = [:]
    /// Allow-list decisions for this connection's caller, by method.
    private var decisions: [String: Bool] = [:]
    private var writabilityWaiters: [EventLoopPromise<Void>] = []
    private var peer = "unknown"
    private var sweep = DeadlineSweep()

    init(
        eventLoop: any EventLoop, router: Router, configuration: RPCServerConfiguration,
        metrics: RPCServerMetrics, registry: ConnectionRegistry, logger: Logger
    ) {
        self.eventLoop = eventLoop
        self.router = router
        self.configuration = configuration
        self.executor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.metrics = metrics
        self.registry = registry
        self.logger = logger
        self.state = .awaitingHello(nonce: Handshake.makeNonce())
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.writer = FrameWriter(context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress.map { "\($0.ipAddress ?? "local"):\($0.port ?? 0)" } ?? "in-process"
        logger[metadataKey: "rpc.peer"] = "\(peer)"
        registry.add(self)
        guard case .awaitingHello(let nonce) = state else { return }
        var challenge = PB.Envelope(kind: .challenge)
        challenge.handshake = PB.Handshake(
            protocolVersion: Handshake.protocolVersion, nonce: nonce, peerName: configuration.name,
            maxFrameBytes: UInt32(configuration.maxFrameBytes), maxConcurrentStreams: UInt32(configuration.maxConcurrentStreams))
        write(challenge)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: configuration.handshakeTimeout) {
            let handler = loopBound.value
            if case .awaitingHello = handler.state {
                handler.closeWithError(.unauthenticated, "no hello within \(handler.configuration.handshakeTimeout)")
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        for (_, call) in calls { call.task?.cancel() }
        calls.removeAll()
        sweep.stop()
        failWritabilityWaiters()
        registry.remove(self)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = writabilityWaiters
            writabilityWaiters.removeAll()
            for w in waiters { w.succeed() }
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let wire = error as? WireError, wire.code == .frameTooLarge {
            closeWithError(.resourceExhausted, wire.message)
        } else if error is WireError {
            closeWithError(.invalidArgument, "\(error)")
        } else {
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let envelope: PB.Envelope
        do {
            envelope = try PB.Envelope(decoding: frame)
        } catch {
            metrics.malformedFrames.increment()
            closeWithError(.invalidArgument, "malformed envelope: \(error.message)")
            return
        }
        switch state {
        case .awaitingHello(let nonce):
            receiveHello(envelope, nonce: nonce)
        case .ready(let peerName), .draining(let peerName):
            receive(envelope, peerName: peerName)
        case .closed:
            break
        }
    }

    // MARK: Handshake

    private func receiveHello(_ envelope: PB.Envelope, nonce: [UInt8]) {
        guard envelope.kind == .hello, let hello = envelope.handshake else {
            closeWithError(.unauthenticated, "the first frame must be a hello answering the challenge")
            return
        }
        guard hello.protocolVersion == Handshake.protocolVersion else {
            closeWithError(
                .failedPrecondition,
                "protocol version \(hello.protocolVersion) is not supported; this server speaks \(Handshake.protocolVersion)")
            return
        }
        if let refusal = configuration.refusal(of: hello, nonce: nonce) {
            metrics.authFailures.increment()
            closeWithError(.unauthenticated, refusal)
            return
        }
        state = .ready(peerName: hello.peerName)
        logger[metadataKey: "rpc.peer_name"] = "\(hello.peerName)"
        var welcome = PB.Envelope(kind: .welcome)
        welcome.handshake = PB.Handshake(protocolVersion: Handshake.protocolVersion, peerName: configuration.name)
        write(welcome)
    }

    // MARK: Frames after the handshake

    private func receive(_ envelope: PB.Envelope, peerName: String) {
        switch envelope.kind {
        case .request:
            startCall(envelope, peerName: peerName)
        case .cancel:
            if let call = calls.removeValue(forKey: envelope.streamId) {
                call.task?.cancel()
                call.route.metrics.record(.cancelled)
            }
        case .ping:
            write(PB.Envelope(kind: .pong, payload: envelope.payload))
        case .pong:
            break
        default:
            closeWithError(.invalidArgument, "unexpected \(envelope.kind.protoName ?? "unknown") frame from a client")
        }
    }

    /// Whether the connection's caller may call `method`; decided once per method per connection.
    private func permits(_ peerName: String, _ method: String) -> Bool {
        guard let callers = configuration.callers else { return true }
        if let known = decisions[method] { return known }
        let decision = callers.permits(peerName, method)
        decisions[method] = decision
        return decision
    }

    private func startCall(_ envelope: PB.Envelope, peerName: String) {
        let id = envelope.streamId
        guard id != 0, calls[id] == nil else {
            sendError(id, .invalidArgument, "stream id \(id) is zero or already in use on this connection")
            return
        }
        if case .draining = state {
            sendError(id, .unavailable, "\(configuration.name) is shutting down; retry on a new connection")
            return
        }
        guard calls.count < configuration.maxConcurrentStreams else {
            router.route(envelope.method)?.metrics.record(.resourceExhausted)
            sendError(id, .resourceExhausted, "more than \(configuration.maxConcurrentStreams) calls in flight on one connection")
            return
        }
        guard let route = router.route(envelope.method) else {
            metrics.unknownMethods.increment()
            sendError(id, .unimplemented, "unknown method \"\(envelope.method)\" on \(configuration.name)")
            return
        }
        guard permits(peerName, envelope.method) else {
            route.metrics.record(.permissionDenied)
            sendError(
                id, .permissionDenied,
                "\(peerName) may not call \(envelope.method) on \(configuration.name); its allow-list (rpc.allow on \(configuration.name)) does not name it")
            return
        }
        guard envelope.timeoutNs >= 0 else {
            sendError(id, .deadlineExceeded, "the call arrived with its deadline already passed")
            return
        }
        let deadline: NIODeadline? = envelope.timeoutNs > 0 ? .now() + .nanoseconds(envelope.timeoutNs) : nil
        let context = ServerCallContext(
            method: envelope.method, deadline: deadline, peer: peer, peerName: peerName,
            traceparent: envelope.traceparent, connectionLogger: logger)
        let sink = CallSink(connection: self, streamID: id)
        calls[id] = ActiveCall(deadline: deadline, timeoutNs: envelope.timeoutNs, kind: route.kind, route: route)
        let payload = envelope.payload
        let handler = route.handler
        let trace = envelope.traceparent.isEmpty ? nil : TraceContext(traceparent: envelope.traceparent)
        let operation: @Sendable () async -> Void = {
            do {
                // Calls the handler makes carry the caller's trace on.
                if let trace {
                    try await TraceContext.$current.withValue(trace) { try await handler(payload, context, sink) }
                } else {
                    try await handler(payload, context, sink)
                }
                sink.finish()
            } catch {
                sink.fail(error)
            }
        }
        // The handler starts right here, on this event loop, and runs until its first suspension (a
        // handler that does not suspend, like most reads of in-memory state, answers before this
        // returns): no job queued and picked up later in the loop turn. It may have answered, and
        // so left `calls`, by the time the task is recorded.
        let task: Task<Void, Never>
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            task = Task.immediate(executorPreference: executor, operation: operation)
        } else {
            task = Task(executorPreference: executor, operation: operation)
        }
        guard calls[id] != nil else { return }
        calls[id]?.task = task
        if deadline != nil {
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            sweep.ensureRunning(on: eventLoop) { loopBound.value.expireOverdue() }
        }
    }

    /// Fails every call past its deadline (and cancels its task); stops sweeping when none is left.
    private func expireOverdue() {
        let (expired, pending) = DeadlineSweep.overdue(calls) { $0.deadline }
        for (id, call) in expired {
            calls[id] = nil
            call.task?.cancel()
            call.route.metrics.record(.deadlineExceeded)
            sendError(id, .deadlineExceeded, "\(call.route.method) did not finish within its \(call.timeoutNs / 1_000_000) ms deadline")
        }
        if !pending { sweep.stop() }
    }

    // MARK: Answers (called through CallSink, on the event loop)

    func respond(_ id: UInt64, payload: [UInt8]) {
        guard let call = calls.removeValue(forKey: id) else { return }
        call.route.metrics.ok.increment()
        write(PB.Envelope(streamId: id, kind: .response, payload: payload))
    }

    /// Sends a stream item. Returns a future to wait on when the send buffer is full, else nil.
    func streamItem(_ id: UInt64, payload: [UInt8]) throws(RPCError) -> EventLoopFuture<Void>? {
        guard calls[id] != nil, let context else {
            throw RPCError(code: .cancelled, message: "the client cancelled the stream or went away")
        }
        write(PB.Envelope(streamId: id, kind: .streamItem, payload: payload))
        if context.channel.isWritable { return nil }
        let promise = eventLoop.makePromise(of: Void.self)
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    func finish(_ id: UInt64) {
        guard let call = calls.removeValue(forKey: id) else { return }
        if call.kind == .serverStreaming {
            call.route.metrics.ok.increment()
            write(PB.Envelope(streamId: id, kind: .streamEnd, statusCode: .ok))
        } else {
            // A unary handler returned without answering: a bug in the handler, said as such.
            call.route.metrics.record(.internal)
            sendError(id, .internal, "\(call.route.method) returned no response")
        }
        closeIfDrained()
    }

    func fail(_ id: UInt64, error: any Error) {
        guard let call = calls.removeValue(forKey: id) else { return }
        let (rpc, exposed) = RPCError.from(error)
        if !exposed {
            logger.error("handler failed", metadata: ["rpc.method": "\(call.route.method)", "error": "\(String(reflecting: error))"])
        }
        call.route.metrics.record(rpc.code)
        sendError(id, rpc.code, rpc.message, domainCode: rpc.domainCode)
        closeIfDrained()
    }

    // MARK: Drain

    /// Stops taking calls (GOAWAY), lets the running ones finish, then closes.
    func startDraining() {
        switch state {
        case .ready(let peerName):
            state = .draining(peerName: peerName)
            write(PB.Envelope(kind: .goaway, statusMessage: "\(configuration.name) is shutting down"))
            closeIfDrained()
        case .awaitingHello:
            state = .closed
            context?.close(promise: nil)
        case .draining, .closed:
            break
        }
    }

    /// Cancels whatever still runs and closes (the drain timeout passed).
    func forceClose() {
        for (id, call) in calls {
            call.task?.cancel()
            sendError(id, .unavailable, "\(configuration.name) shut down before the call finished")
        }
        calls.removeAll()
        context?.close(promise: nil)
    }

    private func closeIfDrained() {
        if case .draining = state, calls.isEmpty {
            state = .closed
            writer?.flushNow()
            context?.close(promise: nil)
        }
    }

    // MARK: Writing

    private func write(_ envelope: PB.Envelope) {
        do {
            try writer?.write(envelope)
        } catch {
            logger.error("cannot encode an outbound frame", metadata: ["error": "\(error)"])
            // The caller is told rather than left waiting for its deadline.
            if envelope.streamId != 0, envelope.kind != .error {
                sendError(envelope.streamId, .internal, "the answer could not be encoded: \(error.message)")
            }
        }
    }

    /// An error for call `id`. The message often quotes what the caller sent; a NUL byte in it
    /// (which a protobuf-c string cannot carry) is shown as U+FFFD so the error still goes out.
    private func sendError(_ id: UInt64, _ code: RPCError.Code, _ message: String, domainCode: String = "") {
        let message = message.contains("\0") ? String(message.map { $0 == "\0" ? "\u{FFFD}" : $0 }) : message
        write(PB.Envelope(streamId: id, kind: .error, statusCode: code.wire, statusMessage: message, errorCode: domainCode))
    }

    /// A connection-level error: tell the client why, then close.
    private func closeWithError(_ code: RPCError.Code, _ message: String) {
        guard let writer else { return }
        logger.info("closing connection", metadata: ["rpc.code": "\(code)", "reason": "\(message)"])
        state = .closed
        writer.writeAndClose(PB.Envelope(kind: .error, statusCode: code.wire, statusMessage: message))
    }

    private func failWritabilityWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for w in waiters { w.fail(RPCError(code: .cancelled, message: "the connection closed")) }
    }
}
