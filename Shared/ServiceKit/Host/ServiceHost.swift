import Bus
import Contract
import Foundation
import Logging
import NIOCore
import RPC
import ServiceLifecycle
import Store
import Synchronization
import UnixSignals
import Wire

/// What a service's handlers are built with.
public struct HostResources: Sendable {
    public let configuration: HostConfiguration
    public let logger: Logger
    /// nil when `postgres.enabled` is false.
    public let store: Store?
    /// nil when `redis.enabled` is false.
    public let bus: Bus?
    /// The service's hash-chained audit trail (in its schema; the log only without Postgres).
    public let audit: AuditTrail
}

/// The life every Tradewind service shares: configuration, logs, metrics, admin HTTP, its Postgres
/// schema (provisioned and migrated at start-up), the bus, and the RPC server, all run in one
/// `ServiceGroup` that shuts down gracefully on SIGTERM/SIGINT: stop accepting, drain calls, flush
/// the bus, close the store.
public final class ServiceHost: Sendable {
    public let configuration: HostConfiguration
    public let logger: Logger
    public let resources: HostResources
    public let rpcServer: RPCServer
    public let admin: AdminServer
    let extraServices: [any Service]
    private let running = Mutex<ServiceGroup?>(nil)
    let startedAt = Date()

    /// Builds the host. `routes` registers the service's methods (Diagnostics is added for every
    /// service); `services` are the service's own long-running parts (feeds, bots).
    public init(
        configuration: HostConfiguration,
        routes: (inout Router, HostResources) throws -> Void,
        services: (HostResources) throws -> [any Service] = { _ in [] }
    ) throws {
        Observability.bootstrapLogging(service: configuration.service, level: configuration.logLevel, format: configuration.logFormat)
        // Install the metrics backend before anything creates a metric (the router creates its
        // counters below; made against the default no-op factory they would never be exported).
        _ = Observability.registry
        var logger = Logger(label: "tradewind.\(configuration.service)")
        logger.logLevel = configuration.logLevel
        if configuration.usesDevelopmentSecret {
            logger.warning("running on the built-in development RPC secrets (profile development); give each service its own rpc.secret outside a private machine")
        }
        self.configuration = configuration
        self.logger = logger
        let store = try configuration.postgres.map { try Store(configuration: $0, logger: logger) }
        let bus = try configuration.bus.map { try Bus(configuration: $0, logger: logger) }
        let resources = HostResources(configuration: configuration, logger: logger, store: store, bus: bus, audit: AuditTrail(store: store, logger: logger))
        self.resources = resources
        var router = Router()
        try routes(&router, resources)
        if !router.methodNames.contains(DiagnosticsMethods.info.fullName) {
            let own = [
                DiagnosticsMethods.info.fullName, DiagnosticsMethods.echo.fullName, DiagnosticsMethods.count.fullName,
                DiagnosticsMethods.listAudit.fullName, DiagnosticsMethods.verifyAudit.fullName,
            ]
            let diagnostics = StandardDiagnostics(
                service: configuration.service, version: configuration.version, methods: (router.methodNames + own).sorted(), audit: resources.audit)
            diagnostics.registerMethods(with: &router)
        }
        self.rpcServer = try RPCServer(configuration: configuration.rpc, router: router, logger: logger)
        self.extraServices = try services(resources)
        let rpc = rpcServer
        self.admin = AdminServer(host: configuration.adminHost, port: configuration.adminPort, logger: logger) {
            await Self.notReady(rpc: rpc, store: store, bus: bus)
        }
    }

    /// Provisions and migrates the schema, then runs everything until SIGTERM/SIGINT (when
    /// `handleSignals`) or until the calling task is cancelled.
    public func run(handleSignals: Bool = true) async throws {
        try await prepareStore()
        var services: [any Service] = []
        if let store = resources.store { services.append(store) }
        if let bus = resources.bus { services.append(bus) }
        services.append(rpcServer)
        services.append(admin)
        services += extraServices
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger))
        logger.info("starting", metadata: ["service.version": "\(configuration.version)"])
        running.withLock { $0 = group }
        defer { running.withLock { $0 = nil } }
        try await group.run()
        logger.info("stopped")
    }

    private func prepareStore() async throws {
        guard let store = resources.store else { return }
        let schema = try SQLIdentifier(configuration.schema)
        if let adminConfig = configuration.provisionAdmin, let pg = configuration.postgres {
            let admin = try Store(configuration: adminConfig, logger: logger)
            do {
                try await SchemaProvisioner.provision(admin: admin, schema: schema, role: try SQLIdentifier(pg.user), password: pg.password)
                await admin.shutdown()
            } catch {
                await admin.shutdown()
                throw error
            }
        }
        if let dir = configuration.migrationsDirectory {
            try await Migrator.migrate(store, schema: schema, migrations: Migration.load(from: dir), logger: logger)
        }
        try await resources.audit.prepare()
    }

    /// Names of the dependencies that do not answer.
    static func notReady(rpc: RPCServer, store: Store?, bus: Bus?) async -> [String] {
        var missing: [String] = []
        if let store, (try? await store.query("SELECT 1")) == nil { missing.append("postgres") }
        if let bus, (try? await bus.command("EXISTS", key: "tw.readyz")) == nil { missing.append("redis") }
        return missing
    }

    /// Shuts a running host down gracefully, as SIGTERM does: stop accepting, drain calls, let the
    /// services flush, close the bus and store. `run()` returns once done.
    public func shutdown() async {
        await running.withLock { $0 }?.triggerGracefulShutdown()
    }

    /// The RPC address, once bound.
    public var rpcAddress: SocketAddress { get async throws { try await rpcServer.localAddress } }
}

/// The Diagnostics service every host serves unless the service brings its own.
struct StandardDiagnostics: AuditedDiagnostics {
    let service: String
    let version: String
    let methods: [String]
    let audit: AuditTrail
    let startedAtNs = WallClock.nowNs

    func info(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ServiceInfo {
        PB.ServiceInfo(service: service, version: version, startedAtNs: startedAtNs, methods: methods)
    }

    func echo(_ request: PB.EchoMessage, context: ServerCallContext) async throws -> PB.EchoMessage { request }

    func count(_ request: PB.CountRequest, context: ServerCallContext, writer: StreamWriter<PB.EchoMessage>) async throws {
        for i in 0..<request.count {
            try await writer.write(PB.EchoMessage(seq: i, payload: request.payload))
            if request.intervalUs > 0 { try await Task.sleep(for: .microseconds(request.intervalUs)) }
        }
    }
}
