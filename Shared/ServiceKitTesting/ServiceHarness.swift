import Bus
import Logging
import NIOCore
import RPC
import ServiceKit
import Store

/// Runs a real service host on free ports against the real Postgres and Redis, each test with its
/// own schema and Redis key prefix, and always tears it down.
public enum ServiceHarness {
    /// A configuration for `service` on loopback port 0, with a private schema and bus prefix.
    public static func configuration(service: String) -> HostConfiguration {
        var c = HostConfiguration(service: service)
        c.rpc.secret = Array("harness-secret-0123456789".utf8)
        c.rpc.drainTimeout = .seconds(2)
        c.schema = TestEnvironment.uniqueName("t")
        var pg = TestEnvironment.postgres
        pg.schema = c.schema
        pg.poolSize = 2
        c.postgres = pg
        var bus = BusConfiguration()
        bus.host = TestEnvironment.redisHost
        bus.port = TestEnvironment.redisPort
        bus.prefix = c.schema + ":"
        c.bus = bus
        c.logLevel = .warning
        c.logFormat = "text"
        return c
    }

    /// Builds a host with `build`, runs it, hands `body` the host and a connected client, then shuts
    /// it down gracefully (as SIGTERM would) and drops its schema (unless `dropsSchema` is false: a
    /// later host restarts on it).
    public static func withHost<R: Sendable>(
        service: String = "harness", dropsSchema: Bool = true, configure: (inout HostConfiguration) -> Void = { _ in },
        build: (HostConfiguration) throws -> ServiceHost,
        _ body: @Sendable (ServiceHost, RPCClient) async throws -> R
    ) async throws -> R {
        var config = configuration(service: service)
        configure(&config)
        let host = try build(config)
        let result: R
        do {
            result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await host.run(handleSignals: false) }
                let outcome: Result<R, any Error>
                do {
                    let port = try await host.rpcAddress.port!
                    let client = RPCClient(
                        configuration: RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: config.rpc.secret),
                        logger: Logger(label: "harness"))
                    outcome = try await withThrowingTaskGroup(of: Void.self) { calls in
                        calls.addTask { try await client.run() }
                        defer { calls.cancelAll() }
                        return .success(try await body(host, client))
                    }
                } catch {
                    outcome = .failure(error)
                }
                await host.shutdown()
                // A host that does not stop within its drain timeout plus a margin is cancelled.
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    throw CancellationError()
                }
                _ = try? await group.next()
                group.cancelAll()
                return try outcome.get()
            }
        } catch {
            if dropsSchema { await dropSchema(config.schema) }
            throw error
        }
        if dropsSchema { await dropSchema(config.schema) }
        return result
    }

    /// Drops `schema` and everything in it.
    public static func dropSchema(_ schema: String) async {
        guard let admin = try? Store(configuration: TestEnvironment.postgres, logger: Logger(label: "harness")) else { return }
        try? await admin.unsafeExecuteRaw("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
        await admin.shutdown()
    }
}
