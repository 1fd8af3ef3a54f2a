import Contract
import Foundation
import RPC
import ServiceKit
import Store
import Wire

/// Builds the execution service: accounts, orders, fills, positions, trades and equity in its
/// schema; brokers by name (`paper` built in); ticks from the bus for prices and triggers;
/// instruments and quotes from market-data over RPC (`peers.market_data`).
public func buildExecution(configuration: HostConfiguration, settings: ExecutionSettings = ExecutionSettings()) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = executionMigrationsDirectory
    }
    let registry = BrokerRegistry.standard()
    let brokers = Dictionary(uniqueKeysWithValues: try registry.names.map { ($0, try registry.make($0, context: settings)) })
    var parts: (OrderDesk, ExecutionRuntime, RPCClient?)?
    func assemble(_ resources: HostResources) throws -> (OrderDesk, ExecutionRuntime, RPCClient?) {
        if let parts { return parts }
        guard let store = resources.store else {
            throw ConfigError(key: "postgres.enabled", message: "execution keeps its ledger in Postgres and cannot run without it")
        }
        let client = settings.marketData.map { resources.configuration.peerClient($0, logger: resources.logger) }
        let desk = OrderDesk(
            store: store, market: MarketView(client: client.map(MarketDataClient.init)), brokers: brokers, triggers: TriggerBook(brokers: brokers),
            events: OrderEvents(bus: resources.bus, logger: resources.logger), settings: settings, audit: resources.audit, logger: resources.logger)
        parts = (desk, ExecutionRuntime(desk: desk, bus: resources.bus), client)
        return parts!
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        let (desk, _, _) = try assemble(resources)
        ExecutionHandlers(desk: desk, brokers: brokers).registerMethods(with: &router)
    } services: { resources in
        let (_, runtime, client) = try assemble(resources)
        // Stopped in reverse: the runtime first, then the market-data client.
        return (client.map { [$0] } ?? []) + [runtime]
    }
}

/// Reads the host configuration and the execution settings from defaults, file, environment and flags.
public func readExecutionConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (HostConfiguration, ExecutionSettings) {
    let (host, values) = try HostConfiguration.read(
        service: "execution", arguments: arguments, environment: environment, extraKeys: ExecutionSettings.keys)
    return (host, try ExecutionSettings.read(values))
}

/// Where the execution service's SQL migrations are.
public var executionMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
