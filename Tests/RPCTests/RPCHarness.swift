import Logging
import NIOCore
import NIOPosix
import RPC
import Synchronization
import Wire

let testSecret = Array("test-secret-0123456789".utf8)

/// Test routes: echo, a counting stream, a handler that sleeps until cancelled, one that throws.
func testRouter(cancelled: CancelProbe = CancelProbe()) -> Router {
    var router = Router()
    router.unary(DiagnosticsMethods.echo) { request, _ in
        // A payload of "refuse" answers with a service's own failure, to see its code cross the wire.
        if request.payload == Array("refuse".utf8) { throw DomainError(TestErrorCode.refused, "the test service refuses") }
        // "quote" refuses quoting the caller's bytes, NUL included, as services' messages do.
        if request.text == "quote" { throw DomainError(TestErrorCode.refused, "cannot take \"\(String(decoding: request.payload, as: UTF8.self))\"") }
        // "trace?" answers the trace context the handler runs in (what its own calls would carry).
        if request.text == "trace?" { return PB.EchoMessage(seq: request.seq, text: TraceContext.current?.traceparent ?? "") }
        return request
    }
    router.serverStreaming(DiagnosticsMethods.count) { request, _, writer in
        for i in 0..<request.count { try await writer.write(PB.EchoMessage(seq: i, payload: request.payload)) }
    }
    router.unary(DiagnosticsMethods.info) { _, context in
        cancelled.markStarted()
        do {
            try await Task.sleep(for: .seconds(30))
        } catch {
            cancelled.mark()
            throw error
        }
        return PB.ServiceInfo(service: context.method)
    }
    return router
}

/// A service's stable codes, for the typed-error test.
enum TestErrorCode: String, DomainErrorCode {
    case refused = "test.refused"
    var status: RPCError.Code { .failedPrecondition }
}

let DiagnosticsMethods = (
    echo: MethodDescriptor<PB.EchoMessage, PB.EchoMessage>(service: "Diagnostics", method: "Echo", kind: .unary),
    count: MethodDescriptor<PB.CountRequest, PB.EchoMessage>(service: "Diagnostics", method: "Count", kind: .serverStreaming),
    info: MethodDescriptor<PB.Empty, PB.ServiceInfo>(service: "Diagnostics", method: "Info", kind: .unary)
)

/// Records how many slow handlers started and that one was cancelled.
final class CancelProbe: Sendable {
    private let flag = Atomic<Bool>(false)
    private let started = Atomic<Int>(0)
    func mark() { flag.store(true, ordering: .relaxed) }
    func markStarted() { started.add(1, ordering: .relaxed) }
    var wasCancelled: Bool { flag.load(ordering: .relaxed) }
    var hasStarted: Bool { startedCount > 0 }
    /// How many slow handlers have started.
    var startedCount: Int { started.load(ordering: .relaxed) }
}

/// Runs a server on a free loopback port and a client connected to it, then tears both down.
func withServer<R: Sendable>(
    router: Router = testRouter(),
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    clientSecret: [UInt8] = testSecret,
    _ body: @Sendable (RPCServer, RPCClient, Int) async throws -> R
) async throws -> R {
    var config = RPCServerConfiguration(secret: testSecret)
    config.name = "test-server"
    configure(&config)
    let logger = Logger(label: "test")
    let server = try RPCServer(configuration: config, router: router, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.localAddress.port!
        var clientConfig = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: clientSecret)
        clientConfig.defaultTimeout = .seconds(10)
        let client = RPCClient(configuration: clientConfig, logger: logger)
        group.addTask { try await client.run() }
        defer { group.cancelAll() }
        return try await body(server, client, port)
    }
}
