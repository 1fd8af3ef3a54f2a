import Logging
import Store

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where tests find the real Postgres and Redis: `TRADEWIND_PG_*` and `TRADEWIND_REDIS_*` from
/// the environment (`scripts/infra.sh start` writes them), with loopback defaults.
public enum TestEnvironment {
    static func env(_ key: String) -> String? { getenv(key).map { String(cString: $0) } }

    public static var postgres: StoreConfiguration {
        var c = StoreConfiguration()
        c.host = env("TRADEWIND_PG_HOST") ?? "127.0.0.1"
        c.port = env("TRADEWIND_PG_PORT").flatMap(Int.init) ?? 5432
        c.user = env("TRADEWIND_PG_USER") ?? "tradewind"
        c.database = env("TRADEWIND_PG_DATABASE") ?? "tradewind"
        c.applicationName = "tradewind-tests"
        return c
    }

    public static var redisHost: String { env("TRADEWIND_REDIS_HOST") ?? "127.0.0.1" }
    public static var redisPort: Int { env("TRADEWIND_REDIS_PORT").flatMap(Int.init) ?? 6379 }

    /// A name no other test uses: `<prefix>_<random>`, valid as a schema, role or key prefix.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
    }

    /// Runs `body` with a store whose `search_path` is a fresh private schema, dropped afterwards.
    public static func withPrivateSchema<R: Sendable>(
        poolSize: Int = 2, _ body: (Store, SQLIdentifier) async throws -> R
    ) async throws -> R {
        let schema = try SQLIdentifier(uniqueName("t"))
        let logger = Logger(label: "test")
        let admin = try Store(configuration: postgres, logger: logger)
        var config = postgres
        config.schema = schema.name
        config.poolSize = poolSize
        let result: Result<R, any Error>
        do {
            try await admin.unsafeExecuteRaw("CREATE SCHEMA \"\(schema.name)\"")
            let store = try Store(configuration: config, logger: logger)
            do {
                result = .success(try await body(store, schema))
            } catch {
                result = .failure(error)
            }
            await store.shutdown()
            try? await admin.unsafeExecuteRaw("DROP SCHEMA \"\(schema.name)\" CASCADE")
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
        return try result.get()
    }
}
