import Foundation
import Logging
import NIOCore
import RPC
import ServiceKit
import Synchronization
import Testing
import Wire

/// CPU-heavy work in a handler runs on the compute pool: while as many calls compute as there are
/// cores, another call on the same connection is answered. The computations wait for that call, so
/// run where handlers run (the event loops and the async pool, as many threads as cores) they
/// would hold every thread and never see it; no timing is asserted.
@Suite struct OffLoopTests {
    static let compute = MethodDescriptor<PB.EchoMessage, PB.EchoMessage>(service: "Test", method: "Compute", kind: .unary)
    static let poke = MethodDescriptor<PB.EchoMessage, PB.EchoMessage>(service: "Test", method: "Poke", kind: .unary)

    @Test("a unary call is answered on the same connection while a long computation runs")
    func answeredMeanwhile() async throws {
        let poked = Atomic<Bool>(false)
        var router = Router()
        router.unary(Self.compute) { _, _ in
            try await OffLoop.run {
                // Busy until the other call arrives (bounded, so a failure ends instead of hanging).
                var spins: UInt64 = 0
                while !poked.load(ordering: .relaxed), spins < 20_000_000_000 { spins &+= 1 }
                return PB.EchoMessage(seq: poked.load(ordering: .relaxed) ? 1 : 0)
            }
        }
        router.unary(Self.poke) { request, _ in
            poked.store(true, ordering: .relaxed)
            return request
        }
        let secret = Array("an off-loop test secret of enough length".utf8)
        var config = RPCServerConfiguration(secret: secret)
        config.name = "off-loop"
        let server = try RPCServer(configuration: config, router: router, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.localAddress.port!
            var clientConfig = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: secret)
            clientConfig.defaultTimeout = .seconds(60)
            let client = RPCClient(configuration: clientConfig, logger: Logger(label: "test"))
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await withThrowingTaskGroup(of: UInt64.self) { calls in
                for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
                    calls.addTask { try await client.unary(Self.compute, PB.EchoMessage()).seq }
                }
                // Every computation has started (or is queued) before the poke goes out.
                try await Task.sleep(for: .milliseconds(100))
                let answered = try await client.unary(Self.poke, PB.EchoMessage(seq: 7))
                #expect(answered.seq == 7)
                for try await seen in calls { #expect(seen == 1, "a computation saw the other call") }
            }
        }
    }
}
