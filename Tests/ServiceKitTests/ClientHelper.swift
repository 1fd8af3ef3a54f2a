import Contract
import Logging
import RPC

/// Runs `body` with a Diagnostics client connected to a local port, retrying while it starts.
func withRPCClient<R: Sendable>(
    port: Int, secret: String, identity: String = "operator", _ body: @Sendable (DiagnosticsClient) async throws -> R
) async throws -> R {
    var configuration = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: Array(secret.utf8))
    configuration.name = identity
    let client = RPCClient(configuration: configuration, logger: Logger(label: "test"))
    return try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await client.run(); return nil }
        defer { group.cancelAll() }
        var lastError: (any Error)?
        for _ in 0..<100 {
            do { return try await body(DiagnosticsClient(client)) } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw lastError!
    }
}
