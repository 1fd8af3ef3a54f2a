import NIOCore
import Wire

/// One client-side connection: answers the challenge, then matches answers to pending calls by
/// stream id, enforces deadlines, pings when idle and fails every pending call when it closes.
///
/// All state is confined to the channel's event loop.
final class ClientConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked Sendable: mutable state is touched on `eventLoop` only (callers hop with `execute`).
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Pending {
        case unary(UnsafeContinuation<[UInt8], any Error>)
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation)
    }

    struct Call {
        let pending: Pending
        let deadline: NIODeadline?
        let timeoutNs: Int64
        let method: String
    }

    let eventLoop: any EventLoop
    let configuration: RPCClientConfiguration
    let handshakeDone: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var writer: FrameWriter?
    private var calls: [UInt64: Call] = [:]
    private var ready = false
    private(set) var goingAway = false
    private var lastRead = NIODeadline.now()
    private var pingSentAt: NIODeadline?
    private var keepalive: RepeatedTask?
    private var closedError: RPCError?
    private var sweep = DeadlineSweep()

    init(eventLoop: any EventLoop, configuration: RPCClientConfiguration) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.handshakeDone = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.writer = FrameWriter(context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let interval = configuration.keepaliveInterval
        keepalive = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.keepaliveTick()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepalive?.cancel()
        sweep.stop()
        let error = closedError ?? RPCError(code: .unavailable, message: "connection to \(configuration.targetLabel) closed")
        handshakeDone.fail(error)
        failAll(error)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closedError == nil {
            closedError = RPCError(code: .unavailable, message: "connection to \(configuration.targetLabel) failed: \(error)")
        }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        pingSentAt = nil
        let envelope: PB.Envelope
        do {
            envelope = try PB.Envelope(decoding: unwrapInboundIn(data))
        } catch {
            closedError = RPCError(code: .internal, message: "\(configuration.targetLabel) sent a malformed envelope: \(error.message)")
            context.close(promise: nil)
            return
        }
        switch envelope.kind {
        case .challenge: answerChallenge(envelope)
        case .welcome:
            ready = true
            handshakeDone.succeed()
        case .response: complete(envelope.streamId, .success(envelope.payload))
        case .streamItem: yield(envelope.streamId, envelope.payload)
        case .streamEnd: complete(envelope.streamId, .success([]))
        case .error:
            let error = RPCError(code: .init(wire: envelope.statusCode), message: envelope.statusMessage, domainCode: envelope.errorCode)
            if envelope.streamId == 0 {
                // A connection-level error (bad secret, oversized frame): every call fails with it.
                closedError = error
                handshakeDone.fail(error)
                failAll(error)
                context.close(promise: nil)
            } else {
                complete(envelope.streamId, .failure(error))
            }
        case .ping: write(PB.Envelope(kind: .pong, payload: envelope.payload))
        case .pong: break
        case .goaway: goingAway = true
        default:
            closedError = RPCError(code: .internal, message: "unexpected \(envelope.kind.protoName ?? "unknown") frame from \(configuration.target)")
            context.close(promise: nil)
        }
    }

    private func answerChallenge(_ envelope: PB.Envelope) {
        guard let challenge = envelope.handshake, challenge.protocolVersion == Handshake.protocolVersion else {
            closedError = RPCError(
                code: .failedPrecondition,
                message: "\(configuration.targetLabel) speaks protocol \(envelope.handshake?.protocolVersion ?? 0); this client speaks \(Handshake.protocolVersion)")
            context?.close(promise: nil)
            return
        }
        var hello = PB.Envelope(kind: .hello)
        hello.handshake = PB.Handshake(
            protocolVersion: Handshake.protocolVersion,
            mac: Handshake.mac(secret: configuration.secret, nonce: challenge.nonce), peerName: configuration.name)
        write(hello)
    }

    // MARK: Calls (on the event loop)

    func start(id: UInt64, method: String, payload: [UInt8], timeout: Duration?, traceparent: String, pending: Pending) {
        guard ready, !goingAway, closedError == nil else {
            let reason = closedError?.message ?? (goingAway ? "\(configuration.target) is shutting down" : "not connected")
            resolve(pending, .failure(RPCError(code: .unavailable, message: reason)))
            return
        }
        let timeoutNs = timeout.map { max(1, $0.nanosecondsClamped) } ?? 0
        let deadline = timeout.map { _ in NIODeadline.now() + .nanoseconds(timeoutNs) }
        calls[id] = Call(pending: pending, deadline: deadline, timeoutNs: timeoutNs, method: method)
        if deadline != nil {
            let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
            sweep.ensureRunning(on: eventLoop) { loopBound.value.expireOverdue() }
        }
        write(PB.Envelope(streamId: id, kind: .request, method: method, timeoutNs: timeoutNs, traceparent: traceparent, payload: payload))
    }

    /// The caller gave up (task cancelled, stream dropped): tell the server, fail locally.
    func cancel(id: UInt64) {
        guard calls[id] != nil else { return }
        complete(id, .failure(RPCError(code: .cancelled, message: "the call was cancelled")))
        write(PB.Envelope(streamId: id, kind: .cancel))
    }

    /// Fails every call past its deadline and tells the server; stops sweeping when none is left.
    private func expireOverdue() {
        let (expired, pending) = DeadlineSweep.overdue(calls) { $0.deadline }
        for (id, call) in expired {
            complete(id, .failure(RPCError(code: .deadlineExceeded, message: "\(call.method) got no answer within \(call.timeoutNs / 1_000_000) ms")))
            write(PB.Envelope(streamId: id, kind: .cancel))
        }
        if !pending { sweep.stop() }
    }

    private func complete(_ id: UInt64, _ result: Result<[UInt8], RPCError>) {
        guard let call = calls.removeValue(forKey: id) else { return }
        resolve(call.pending, result)
    }

    private func resolve(_ pending: Pending, _ result: Result<[UInt8], RPCError>) {
        switch (pending, result) {
        case (.unary(let c), .success(let payload)): c.resume(returning: payload)
        case (.unary(let c), .failure(let e)): c.resume(throwing: e)
        case (.stream(let c), .success): c.finish()
        case (.stream(let c), .failure(let e)): c.finish(throwing: e)
        }
    }

    private func yield(_ id: UInt64, _ payload: [UInt8]) {
        guard let call = calls[id], case .stream(let c) = call.pending else { return }
        if case .dropped = c.yield(payload) {
            complete(id, .failure(RPCError(
                code: .resourceExhausted,
                message: "\(call.method): the consumer fell more than \(configuration.streamBufferItems) items behind")))
            write(PB.Envelope(streamId: id, kind: .cancel))
        }
    }

    private func failAll(_ error: RPCError) {
        let all = calls
        calls.removeAll()
        for (_, call) in all { resolve(call.pending, .failure(error)) }
    }

    // MARK: Keepalive and writing

    private func keepaliveTick() {
        let now = NIODeadline.now()
        if let sent = pingSentAt {
            if now - sent > configuration.keepaliveTimeout {
                closedError = RPCError(code: .unavailable, message: "\(configuration.targetLabel) did not answer a ping within \(configuration.keepaliveTimeout)")
                context?.close(promise: nil)
            }
        } else if now - lastRead >= configuration.keepaliveInterval {
            pingSentAt = now
            write(PB.Envelope(kind: .ping))
        }
    }

    private func write(_ envelope: PB.Envelope) {
        do {
            try writer?.write(envelope)
        } catch {
            // Only a caller's own request can fail to encode, and those are encoded before they get here.
            preconditionFailure("cannot encode an outbound frame: \(error)")
        }
    }
}
