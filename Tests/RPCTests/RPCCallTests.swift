import Logging
import NIOCore
import NIOPosix
import RPC
import Testing
import Wire

@Suite("RPC calls over a real loopback connection")
struct RPCCallTests {
    @Test("a unary call returns the handler's answer")
    func unaryEcho() async throws {
        try await withServer { _, client, _ in
            let answer = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 7, payload: [1, 2, 3], text: "hé"))
            #expect(answer == PB.EchoMessage(seq: 7, payload: [1, 2, 3], text: "hé"))
        }
    }

    @Test("the caller's trace context reaches the handler, which runs inside it; without one there is none")
    func traceContextTravels() async throws {
        try await withServer { _, client, _ in
            let trace = TraceContext(traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7")
            let inside = try await TraceContext.$current.withValue(trace) { try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(text: "trace?")) }
            #expect(inside.text == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            #expect(TraceContext(traceparent: inside.text) == trace)
            #expect(try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(text: "trace?")).text == "")
        }
    }

    @Test("many concurrent calls multiplex over one connection and each gets its own answer")
    func concurrentCalls() async throws {
        try await withServer { _, client, _ in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<500 {
                    group.addTask { try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: UInt64(i))).seq == UInt64(i) }
                }
                var ok = 0
                for try await matched in group where matched { ok += 1 }
                #expect(ok == 500)
            }
        }
    }

    @Test("a server stream delivers every item in order, then ends")
    func serverStream() async throws {
        try await withServer { _, client, _ in
            var seqs: [UInt64] = []
            for try await item in client.serverStreaming(DiagnosticsMethods.count, PB.CountRequest(count: 2000, payload: [9])) {
                seqs.append(item.seq)
            }
            #expect(seqs == Array(0..<2000))
        }
    }

    @Test("an unknown method is refused with unimplemented, naming the method")
    func unknownMethod() async throws {
        try await withServer { _, client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(method: "Nope.Missing", payload: [])
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("Nope.Missing") == true)
        }
    }

    @Test("a malformed request payload is refused with invalid_argument")
    func malformedRequest() async throws {
        try await withServer { _, client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(method: "Diagnostics.Echo", payload: [0xFF, 0xFF, 0xFF])
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("a call past its deadline fails with deadline_exceeded and the server cancels the handler")
    func deadline() async throws {
        let probe = CancelProbe()
        try await withServer(router: testRouter(cancelled: probe)) { _, client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(DiagnosticsMethods.info, PB.Empty(), options: CallOptions(timeout: .milliseconds(100)))
            }
            #expect(error?.code == .deadlineExceeded)
            for _ in 0..<100 where !probe.wasCancelled { try await Task.sleep(for: .milliseconds(20)) }
            #expect(probe.wasCancelled)
            // The connection still serves calls afterwards.
            #expect(try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 1)).seq == 1)
        }
    }

    @Test("cancelling the calling task cancels the call on the server")
    func cancellation() async throws {
        let probe = CancelProbe()
        try await withServer(router: testRouter(cancelled: probe)) { _, client, _ in
            let task = Task { try await client.unary(DiagnosticsMethods.info, PB.Empty()) }
            // Cancel only once the server runs the handler (a loaded machine may take longer than any
            // fixed sleep to connect and send).
            for _ in 0..<500 where !probe.hasStarted { try await Task.sleep(for: .milliseconds(10)) }
            #expect(probe.hasStarted)
            task.cancel()
            let result = await task.result
            #expect(throws: RPCError.self) { try result.get() }
            for _ in 0..<100 where !probe.wasCancelled { try await Task.sleep(for: .milliseconds(20)) }
            #expect(probe.wasCancelled)
        }
    }

    @Test("a client with the wrong secret is refused with unauthenticated")
    func wrongSecret() async throws {
        try await withServer(clientSecret: Array("wrong-secret-0123456789".utf8)) { _, client, _ in
            var last: RPCError?
            for _ in 0..<50 {
                do {
                    _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage())
                } catch let error as RPCError {
                    last = error
                    if error.code == .unauthenticated { break }
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(last?.code == .unauthenticated)
        }
    }

    @Test("calls beyond the per-connection stream limit get resource_exhausted")
    func streamLimit() async throws {
        let probe = CancelProbe()
        try await withServer(router: testRouter(cancelled: probe), configure: { $0.maxConcurrentStreams = 2 }) { _, client, _ in
            let slow = (0..<2).map { _ in Task { try await client.unary(DiagnosticsMethods.info, PB.Empty(), options: CallOptions(timeout: .seconds(30))) } }
            // Both slow calls hold their streams on the server before the third is made (a fixed sleep flaked under load).
            for _ in 0..<1000 where probe.startedCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(probe.startedCount == 2)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage())
            }
            #expect(error?.code == .resourceExhausted)
            for t in slow { t.cancel() }
        }
    }

    @Test("a call to a server that is down fails fast with unavailable, and succeeds once it is up")
    func unavailableThenRecovers() async throws {
        // Reserve a port, then free it so nothing listens there.
        let probeServer = try RPCServer(configuration: RPCServerConfiguration(secret: testSecret), router: Router(), logger: .init(label: "t"))
        let port: Int = try await withThrowingTaskGroup(of: Void.self) { g in
            g.addTask { try await probeServer.run() }
            let p = try await probeServer.localAddress.port!
            g.cancelAll()
            return p
        }
        var config = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: testSecret)
        config.backoff.maximum = .milliseconds(200)
        let client = RPCClient(configuration: config, logger: .init(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage())
            }
            #expect(error?.code == .unavailable)
            #expect(clock.now - started < .seconds(5))
            var serverConfig = RPCServerConfiguration(secret: testSecret)
            serverConfig.port = port
            let server = try RPCServer(configuration: serverConfig, router: testRouter(), logger: .init(label: "t"))
            group.addTask { try await server.run() }
            var answered = false
            for _ in 0..<100 {
                if (try? await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 3)))?.seq == 3 { answered = true; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(answered)
        }
    }

    @Test("a peer that accepts and never answers the hello holds a caller no longer than connectWait, and a stopping client no longer at all")
    func connectWaitHolds() async throws {
        // A listener that takes connections and says nothing.
        let group = MultiThreadedEventLoopGroup.singleton
        let silent = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var config = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: silent.localAddress!.port!), secret: testSecret)
        config.connectWait = .milliseconds(300)
        let client = RPCClient(configuration: config, logger: .init(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await client.run() }
            defer { tasks.cancelAll() }
            for _ in 0..<3 {
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage())
                }
                // The wait's own deadline answered, not the handshake's (which would take ~15 s).
                #expect(error?.code == .unavailable && error?.message.contains("no connection within 0.3 seconds") == true, "\(String(describing: error))")
            }
        }
    }

    @Test("a service's own error code crosses the wire in its own field, not only in the message")
    func typedErrors() async throws {
        try await withServer { _, client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(payload: Array("refuse".utf8)))
            }
            #expect(error?.code == .failedPrecondition && error?.domainCode == "test.refused")
            // A failure of the transport itself has no service code.
            let plain = await #expect(throws: RPCError.self) {
                _ = try await client.unary(method: "Diagnostics.Nope", payload: [])
            }
            #expect(plain?.code == .unimplemented && plain?.domainCode == "")
        }
    }

    @Test("an error quoting a NUL byte still reaches the caller, and the connection stays in step")
    func errorWithNul() async throws {
        try await withServer { _, client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(payload: [0x61, 0, 0x62], text: "quote"))
            }
            #expect(error?.domainCode == "test.refused" && error?.message.contains("a\u{FFFD}b") == true, "\(String(describing: error))")
            // Nothing half-written is left on the connection: the next call on it is answered.
            let echoed = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 7))
            #expect(echoed.seq == 7)
        }
    }

    @Test("a frame that cannot be encoded leaves nothing in the buffer")
    func unencodableFrameLeavesNothing() {
        var buffer = ByteBuffer(bytes: [1, 2, 3])
        #expect(throws: WireError.self) { try FrameEncoder.writeFrame(PB.Envelope(kind: .error, statusMessage: "a\0b"), into: &buffer) }
        #expect(buffer.readableBytes == 3)
    }

    @Test("the in-process transport runs the whole stack without a port")
    func inProcess() async throws {
        let server = try RPCServer(configuration: RPCServerConfiguration(secret: testSecret), router: testRouter(), logger: .init(label: "t"))
        let client = RPCClient(configuration: RPCClientConfiguration(target: .inProcess(server), secret: testSecret), logger: .init(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            var answer: PB.EchoMessage?
            for _ in 0..<50 where answer == nil {
                answer = try? await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(text: "in-process"))
                if answer == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(answer?.text == "in-process")
        }
    }
}
