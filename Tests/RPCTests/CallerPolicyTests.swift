import Logging
import NIOCore
import RPC
import Testing
import Wire

/// Service identities on a real connection: each caller proves its own secret, and may call only
/// what its allow-list names.
@Suite("Caller identities and allow-lists")
struct CallerPolicyTests {
    static let aliceSecret = Array("alice-secret-0123456789".utf8)
    static let bobSecret = Array("bob-secret-0123456789".utf8)

    /// A server that knows alice (Echo only) and bob (every Diagnostics method); `body` gets its port.
    func withGuardedServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        var config = RPCServerConfiguration(secret: testSecret)
        config.name = "vault"
        config.callers = CallerPolicy(
            secrets: ["alice": Self.aliceSecret, "bob": Self.bobSecret], allowed: ["alice": ["Diagnostics.Echo"], "bob": ["Diagnostics.*"]])
        let server = try RPCServer(configuration: config, router: testRouter(), logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            try await body(try await server.localAddress.port!)
        }
    }

    /// Runs `body` with a client calling as `name` with `secret`.
    func asCaller(_ name: String, _ secret: [UInt8], port: Int, _ body: @Sendable (RPCClient) async throws -> Void) async throws {
        var config = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: secret)
        config.name = name
        config.backoff.maximum = .milliseconds(100)
        let client = RPCClient(configuration: config, logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }

    @Test("a caller calls what its list names; anything else answers permission_denied naming it and the method")
    func allowList() async throws {
        try await withGuardedServer { port in
            try await asCaller("alice", Self.aliceSecret, port: port) { client in
                let first = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 5))
                #expect(first.seq == 5)
                let error = await #expect(throws: RPCError.self) {
                    for try await _ in client.serverStreaming(DiagnosticsMethods.count, PB.CountRequest(count: 1)) {}
                }
                #expect(error?.code == .permissionDenied)
                #expect(error?.message.contains("alice may not call Diagnostics.Count on vault") == true)
                // The connection stays up for what is allowed.
                let again = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 6))
                #expect(again.seq == 6)
            }
            try await asCaller("bob", Self.bobSecret, port: port) { client in
                var items = 0
                for try await _ in client.serverStreaming(DiagnosticsMethods.count, PB.CountRequest(count: 3)) { items += 1 }
                #expect(items == 3)
            }
        }
    }

    @Test("an unknown caller, or a known one proving another's secret, is refused at the handshake")
    func identities() async throws {
        try await withGuardedServer { port in
            for (name, secret, words) in [("mallory", Self.aliceSecret, "does not know the caller \"mallory\""), ("bob", Self.aliceSecret, "does not prove bob's secret")] {
                try await asCaller(name, secret, port: port) { client in
                    let error = await #expect(throws: RPCError.self) { _ = try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage()) }
                    #expect(error?.code == .unauthenticated)
                    #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
                }
            }
        }
    }
}
