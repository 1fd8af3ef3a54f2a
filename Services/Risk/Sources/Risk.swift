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
    // One client per configured peer, made once for both closures below.
    var made: (execution: RPCClient?, marketData: RPCClient?)?
    func peerClients(_ resources: HostResources) -> (execution: RPCClient?, marketData: RPCClient?) {
        if let made { return made }
        let client = { (address: PeerAddress) in resources.configuration.peerClient(address, logger: resources.logger) }
        made = (settings.execution.map(client), settings.marketData.map(client))
        return made!
    }
    let alerts = Broadcaster<PB.RiskAlert>(droppedMetric: "risk_stream_items_dropped_total")
    return try ServiceHost(configuration: configuration) { router, resources in
        guard let store = resources.store else {
            throw ConfigError(key: "postgres.enabled", message: "risk keeps limits and the kill switch in Postgres and cannot run without it")
        }
        let clients = peerClients(resources)
        let peers = Peers(execution: clients.execution.map(ExecutionClient.init), marketData: clients.marketData.map(MarketDataClient.init))
        RiskHandlers(store: store, bus: resources.bus, peers: peers, settings: settings, alerts: alerts, audit: resources.audit, logger: resources.logger)
            .registerMethods(with: &router)
    } services: { resources in
        let clients = peerClients(resources)
        return [clients.execution, clients.marketData].compactMap { $0 }
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
