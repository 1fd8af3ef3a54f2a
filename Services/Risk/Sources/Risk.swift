import Contract
import Foundation
import RPC
import ServiceKit
import Wire

/// Builds the risk service: limits, the kill switch and alerts in its schema; pre-trade checks and
/// sizing over execution's accounts and market-data's prices (`peers.execution`, `peers.market_data`);
/// PlaceOrder, the checked way to execution.
public func buildRisk(configuration: HostConfiguration, settings: RiskSettings = RiskSettings()) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = riskMigrationsDirectory
    }
    var clients: [RPCClient]?
    func peerClients(_ resources: HostResources) -> [RPCClient] {
        if let clients { return clients }
        clients = [settings.execution, settings.marketData].compactMap { $0.map { resources.configuration.peerClient($0, logger: resources.logger) } }
        return clients!
    }
    let alerts = Broadcaster<PB.RiskAlert>(droppedMetric: "risk_stream_items_dropped_total")
    return try ServiceHost(configuration: configuration) { router, resources in
        guard let store = resources.store else {
            throw ConfigError(key: "postgres.enabled", message: "risk keeps limits and the kill switch in Postgres and cannot run without it")
        }
        let made = peerClients(resources)
        var next = made.makeIterator()
        let execution = settings.execution != nil ? next.next().map(ExecutionClient.init) : nil
        let marketData = settings.marketData != nil ? next.next().map(MarketDataClient.init) : nil
        RiskHandlers(
            store: store, bus: resources.bus, peers: Peers(execution: execution, marketData: marketData), settings: settings, alerts: alerts,
            logger: resources.logger
        ).registerMethods(with: &router)
    } services: { resources in
        peerClients(resources)
    }
}

/// Reads the host configuration and the risk settings from defaults, file, environment and flags.
public func readRiskConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (HostConfiguration, RiskSettings) {
    let (host, values) = try HostConfiguration.read(service: "risk", arguments: arguments, environment: environment, extraKeys: RiskSettings.keys)
    return (host, try RiskSettings.read(values))
}

/// Where the risk service's SQL migrations are.
public var riskMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
