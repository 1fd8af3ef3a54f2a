import Bus
import Foundation
import Logging
import NIOCore
import NIOSSL
import RPC
import Store

/// The settings every service has (RPC, admin HTTP, Postgres, Redis, logs), read from
/// `ConfigValues`. Services add their own keys with `extraKeys`.
public struct HostConfiguration: Sendable {
    /// The service name (logs, metrics, default schema and role).
    public var service: String
    /// Reported by Diagnostics.Info.
    public var version: String = "0.1.0"
    /// The RPC listener.
    public var rpc: RPCServerConfiguration
    /// The admin HTTP listener.
    public var adminHost: String = "127.0.0.1"
    /// 0 picks a free port.
    public var adminPort: Int = 0
    /// nil runs without Postgres (a service that owns no tables).
    public var postgres: StoreConfiguration?
    /// The schema the service owns and migrates.
    public var schema: String
    /// Administrative Postgres login used once at start-up to create the schema and the service's
    /// role (nil: the schema and role already exist).
    public var provisionAdmin: StoreConfiguration?
    /// nil runs without Redis.
    public var bus: BusConfiguration?
    /// TLS to peers on other hosts (`rpc.tls_ca`: the CA their certificates chain to); nil: plain TCP.
    public var peerTLS: NIOSSLContext?
    /// Whether built-in development secrets are allowed (`profile`; reading configuration assumes
    /// production). Configurations made in code (tests) are development ones.
    public var profile: Profile = .development
    public var logLevel: Logger.Level = .info
    public var logFormat: String = "json"
    /// Where `Services/<Name>/Migrations` is; nil means the service has no migrations.
    public var migrationsDirectory: String?

    /// Defaults for a service named `service` (loopback, dev secret); the schema defaults to the
    /// name with `-` as `_` unless given (ARCHITECTURE §1 names `marketdata` for `market-data`).
    public init(service: String, schema: String? = nil) {
        self.service = service
        self.schema = schema ?? service.replacingOccurrences(of: "-", with: "_")
        self.rpc = RPCServerConfiguration(secret: Array("tradewind-dev-secret-change-me".utf8))
        self.rpc.name = service
    }

    /// Every key `read` understands, plus `extra`.
    public static func keys(extra: Set<String> = []) -> Set<String> {
        Set([
            "config", "profile", "rpc.host", "rpc.port", "rpc.secret", "rpc.callers", "rpc.allow", "rpc.tls_cert", "rpc.tls_key", "rpc.tls_ca", "rpc.max_frame_bytes", "rpc.max_concurrent_streams",
            "rpc.drain_timeout_ms", "admin.host", "admin.port", "postgres.enabled", "postgres.host", "postgres.port",
            "postgres.user", "postgres.password", "postgres.schema", "postgres.database", "postgres.pool_size", "postgres.admin_user",
            "postgres.admin_password", "redis.enabled", "redis.host", "redis.port", "redis.prefix", "log.level",
            "log.format", "migrations.directory",
        ]).union(extra)
    }

    /// Reads defaults < `--config` file < environment < flags for `service`.
    public static func read(
        service: String, schema: String? = nil, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
        environment: [String: String] = ProcessInfo.processInfo.environment, extraKeys: Set<String> = []
    ) throws(ConfigError) -> (HostConfiguration, ConfigValues) {
        let known = keys(extra: extraKeys)
        // The file is named by a flag or the environment before anything else is read.
        let file = Self.configFile(arguments: arguments, environment: environment)
        let v = try ConfigValues(known: known, file: file, environment: environment, arguments: arguments)
        var c = HostConfiguration(service: service, schema: schema)
        c.profile = Profile(rawValue: try v.choice("profile", default: Profile.production.rawValue, Profile.allCases.map(\.rawValue))) ?? .production
        c.rpc.host = v.string("rpc.host", default: c.rpc.host)
        c.rpc.port = try v.int("rpc.port", default: 0, range: 0...65535)
        try c.readIdentities(v)
        try c.readTLS(v)
        c.rpc.maxFrameBytes = try v.int("rpc.max_frame_bytes", default: c.rpc.maxFrameBytes, range: 1024...(1 << 30))
        c.rpc.maxConcurrentStreams = try v.int("rpc.max_concurrent_streams", default: c.rpc.maxConcurrentStreams, range: 1...1_000_000)
        c.rpc.drainTimeout = .milliseconds(Int64(try v.int("rpc.drain_timeout_ms", default: 10_000, range: 0...600_000)))
        c.adminHost = v.string("admin.host", default: c.adminHost)
        c.adminPort = try v.int("admin.port", default: 0, range: 0...65535)
        let schema = v.string("postgres.schema", default: c.schema)
        do {
            c.schema = try SQLIdentifier(schema).name
        } catch {
            throw ConfigError(key: "postgres.schema", message: "\"\(schema)\" \(error.message)")
        }
        if try v.bool("postgres.enabled", default: true) {
            var pg = StoreConfiguration()
            pg.host = v.string("postgres.host", default: pg.host)
            pg.port = try v.int("postgres.port", default: pg.port, range: 1...65535)
            pg.user = v.string("postgres.user", default: c.schema)
            pg.password = v.string("postgres.password", default: "")
            pg.database = v.string("postgres.database", default: pg.database)
            pg.poolSize = try v.int("postgres.pool_size", default: pg.poolSize, range: 1...256)
            pg.schema = c.schema
            pg.applicationName = service
            c.postgres = pg
            let adminUser = v.string("postgres.admin_user", default: "")
            if !adminUser.isEmpty {
                var admin = pg
                admin.user = adminUser
                admin.password = v.string("postgres.admin_password", default: "")
                admin.schema = nil
                admin.poolSize = 1
                c.provisionAdmin = admin
            }
        }
        if try v.bool("redis.enabled", default: true) {
            var bus = BusConfiguration()
            bus.host = v.string("redis.host", default: bus.host)
            bus.port = try v.int("redis.port", default: bus.port, range: 1...65535)
            bus.prefix = v.string("redis.prefix", default: "")
            c.bus = bus
        }
        let level = try v.choice("log.level", default: "info", Logger.Level.allCases.map(\.rawValue))
        c.logLevel = Logger.Level(rawValue: level) ?? .info
        c.logFormat = try v.choice("log.format", default: "json", ["json", "text"])
        let migrations = v.string("migrations.directory", default: "")
        c.migrationsDirectory = migrations.isEmpty ? nil : migrations
        return (c, v)
    }

    static func configFile(arguments: [String], environment: [String: String]) -> String? {
        for (i, a) in arguments.enumerated() {
            if a.hasPrefix("--config=") { return String(a.dropFirst("--config=".count)) }
            if a == "--config", i + 1 < arguments.count { return arguments[i + 1] }
        }
        return environment["TRADEWIND_CONFIG"]
    }

    /// True when the RPC secret is a built-in development one.
    public var usesDevelopmentSecret: Bool {
        rpc.secret == ServiceIdentities.developmentSecret(service) || rpc.secret == Array("tradewind-dev-secret-change-me".utf8)
    }

    /// TLS: this server's certificate and key (`rpc.tls_cert`, `rpc.tls_key`, both or neither) and
    /// the CA its peers' certificates must chain to (`rpc.tls_ca`). Files are read now, so a
    /// missing or bad one stops start-up naming it.
    mutating func readTLS(_ v: ConfigValues) throws(ConfigError) {
        let cert = v.string("rpc.tls_cert", default: ""), key = v.string("rpc.tls_key", default: ""), ca = v.string("rpc.tls_ca", default: "")
        guard cert.isEmpty == key.isEmpty else {
            throw ConfigError(key: cert.isEmpty ? "rpc.tls_cert" : "rpc.tls_key", message: "rpc.tls_cert and rpc.tls_key go together (PEM files)")
        }
        do {
            if !cert.isEmpty { rpc.tls = try RPCTLS.server(certificateFile: cert, keyFile: key) }
        } catch {
            throw ConfigError(key: "rpc.tls_cert", message: error.message)
        }
        do {
            if !ca.isEmpty { peerTLS = try RPCTLS.client(caFile: ca) }
        } catch {
            throw ConfigError(key: "rpc.tls_ca", message: error.message)
        }
    }

    /// This service's identity (`rpc.secret`, proved when it calls a peer) and who may call it
    /// (`rpc.callers` with their secrets, `rpc.allow` over the default allow-lists). In production
    /// the service's own secret is required and only listed callers get in; in development every
    /// known caller may also prove its built-in secret.
    mutating func readIdentities(_ v: ConfigValues) throws(ConfigError) {
        let secret = v.string("rpc.secret", default: "")
        if secret.isEmpty {
            guard profile == .development else {
                throw ConfigError(
                    key: "rpc.secret",
                    message: "is required outside the development profile: give \(service) its own secret (at least 16 characters, e.g. `openssl rand -hex 32`), or run with --profile=development on a private machine")
            }
            rpc.secret = ServiceIdentities.developmentSecret(service)
        } else {
            guard secret.utf8.count >= 16 else { throw ConfigError(key: "rpc.secret", message: "must be at least 16 characters") }
            rpc.secret = Array(secret.utf8)
        }
        var secrets: [String: [UInt8]] = [:]
        if profile == .development {
            for name in ServiceIdentities.names { secrets[name] = ServiceIdentities.developmentSecret(name) }
        }
        secrets.merge(try ServiceIdentities.parseCallers(v.string("rpc.callers", default: ""))) { _, given in given }
        let allowed = try ServiceIdentities.parseAllow(v.string("rpc.allow", default: ""), over: ServiceIdentities.defaultAllowList(server: service))
        rpc.callers = CallerPolicy(secrets: secrets, allowed: allowed)
    }
}
