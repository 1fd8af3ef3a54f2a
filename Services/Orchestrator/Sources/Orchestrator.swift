import Contract
import Foundation
import LanguageModels
import RPC
import ServiceKit
import Wire

/// Builds the orchestrator: strategies in the strategy language (templates, custom documents,
/// agent consensus); bots (stored in its schema, each running its compiled strategy on
/// market-data's closed candles, trading through risk); Analyze, backtests and the chat assistant
/// over market-data's candles. Peers: `peers.market_data`, `peers.risk`, `peers.execution`.
public func buildOrchestrator(configuration: HostConfiguration, settings: OrchestratorSettings = OrchestratorSettings()) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = orchestratorMigrationsDirectory
    }
    let statuses = Broadcaster<PB.BotStatus>(droppedMetric: "orchestrator_stream_items_dropped_total")
    var made: (BotSupervisor, JobRunner, [RPCClient])?
    func assemble(_ resources: HostResources) throws -> (BotSupervisor, JobRunner, [RPCClient]) {
        if let made { return made }
        guard let store = resources.store else {
            throw ConfigError(key: "postgres.enabled", message: "the orchestrator keeps bots and decisions in Postgres and cannot run without it")
        }
        let client = { (address: PeerAddress) in resources.configuration.peerClient(address, logger: resources.logger) }
        let (marketData, risk, execution) = (settings.marketData.map(client), settings.risk.map(client), settings.execution.map(client))
        let peers = Peers(marketData: marketData.map(MarketDataClient.init), risk: risk.map(RiskClient.init), execution: execution.map(ExecutionClient.init))
        let model = settings.ai.model(ledger: PostgresUsageLedger(store: store), logger: resources.logger)
        let agents = ExternalAgents(
            llm: LLMAgent(model: model, deadline: settings.ai.endpoint?.deadline ?? .seconds(10)),
            news: NewsAgent(settings: settings.news, model: model, logger: resources.logger), macro: MacroAgent(settings: settings.macro, logger: resources.logger))
        let trader = BotTrader(
            store: store, bus: resources.bus, peers: peers, statuses: statuses, logger: resources.logger, agents: agents, warmupBars: settings.analyzeBars)
        let jobs = JobRunner(store: store, bus: resources.bus, peers: peers, settings: settings, logger: resources.logger, agents: agents)
        made = (BotSupervisor(trader: trader), jobs, [marketData, risk, execution].compactMap { $0 })
        return made!
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        let (supervisor, jobs, _) = try assemble(resources)
        OrchestratorHandlers(supervisor: supervisor, jobs: jobs, settings: settings, audit: resources.audit).registerMethods(with: &router)
    } services: { resources in
        let (supervisor, jobs, clients) = try assemble(resources)
        // Stopped in reverse: the jobs and bots first, then the peer clients.
        return clients + [supervisor, jobs]
    }
}

/// Reads the host configuration and the orchestrator settings from defaults, file, environment and flags.
public func readOrchestratorConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (HostConfiguration, OrchestratorSettings) {
    let (host, values) = try HostConfiguration.read(
        service: "orchestrator", arguments: arguments, environment: environment, extraKeys: OrchestratorSettings.keys)
    return (host, try OrchestratorSettings.read(values))
}

/// Where the orchestrator's SQL migrations are.
public var orchestratorMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
