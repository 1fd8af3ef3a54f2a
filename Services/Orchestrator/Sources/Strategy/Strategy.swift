import Contract
import RPC
import Wire

/// A strategy ready to evaluate: its agents with weights, its parameters and its threshold.
struct Strategy: Sendable {
    let name: String
    let parameters: StrategyParameters
    let agents: [(agent: any TradingAgent, weight: Double)]
    /// Minimum weighted score in (0, 1] for a buy or a sell.
    let threshold: Double

    /// The named strategies ListStrategies shows; a config names one and overrides what it likes.
    static let catalog: [(info: PB.StrategyInfo, weights: [String: Double], threshold: Double)] = [
        (PB.StrategyInfo(name: "balanced", description: "all four agents: trend, momentum, RSI reversion and volatility"),
         ["trend": 0.35, "momentum": 0.2, "rsi_reversion": 0.3, "volatility": 0.15], 0.25),
        (PB.StrategyInfo(name: "trend_following", description: "rides trends: EMA crossover and MACD momentum"),
         ["trend": 0.6, "momentum": 0.4], 0.3),
        (PB.StrategyInfo(name: "mean_reversion", description: "buys dips and sells rips: RSI reversion, tempered by volatility"),
         ["rsi_reversion": 0.7, "volatility": 0.3], 0.3),
    ]

    /// The catalogue as ListStrategies answers it, with every parameter its agents read.
    static var infos: [PB.StrategyInfo] {
        catalog.map { entry in
            var info = entry.info
            for name in entry.weights.keys {
                for (key, value) in AgentRegistry.agent(named: name)?.parameters ?? [:] { info.defaultParameters[key] = value }
            }
            return info
        }
    }

    /// Resolves `config`: the named strategy (default `balanced`), its parameters overridden,
    /// its agent weights replaced when the config lists agents, its threshold when given.
    init(_ config: PB.StrategyConfig?) throws(OrchestratorError) {
        let config = config ?? PB.StrategyConfig()
        let name = config.name.isEmpty ? "balanced" : config.name
        guard let entry = Self.catalog.first(where: { $0.info.name == name }) else {
            throw OrchestratorError(
                .invalidArgument, "strategy \"\(name.prefix(40))\" is unknown; known: \(Self.catalog.map(\.info.name).joined(separator: ", "))")
        }
        var weights: [(String, Double)] = entry.weights.sorted { $0.key < $1.key }
        if !config.agents.isEmpty {
            weights = []
            for a in config.agents {
                guard AgentRegistry.agent(named: a.agent) != nil else {
                    throw OrchestratorError(
                        .invalidArgument,
                        "agent \"\(a.agent.prefix(40))\" is unknown; known: \(AgentRegistry.standard.map(\.info.name).joined(separator: ", "))")
                }
                guard a.weight.isFinite, a.weight >= 0, a.weight <= 100 else {
                    throw OrchestratorError(.invalidArgument, "agent \(a.agent) has weight \(a.weight); weights are between 0 and 100")
                }
                guard !weights.contains(where: { $0.0 == a.agent }) else { throw OrchestratorError(.invalidArgument, "agent \(a.agent) is listed twice") }
                weights.append((a.agent, a.weight))
            }
            guard weights.contains(where: { $0.1 > 0 }) else { throw OrchestratorError(.invalidArgument, "at least one agent needs a weight above 0") }
        }
        let threshold = config.consensusThreshold == 0 ? entry.threshold : config.consensusThreshold
        guard threshold.isFinite, threshold > 0, threshold <= 1 else {
            throw OrchestratorError(.invalidArgument, "consensus_threshold is \(config.consensusThreshold); it is a weighted confidence in (0, 1]")
        }
        self.name = name
        self.parameters = try StrategyParameters(config.parameters)
        self.agents = weights.filter { $0.1 > 0 }.map { (AgentRegistry.agent(named: $0.0)!, $0.1) }
        self.threshold = threshold
    }

    /// The strategy as a config with everything resolved: what a bot stores.
    var config: PB.StrategyConfig {
        PB.StrategyConfig(
            name: name, parameters: parameters.values, agents: agents.map { PB.AgentWeight(agent: $0.agent.info.name, weight: $0.weight) },
            consensusThreshold: threshold)
    }

    /// Every indicator spec its agents read, once each, in a stable order.
    var indicatorSpecs: [String] {
        var seen = Set<String>()
        return agents.flatMap { $0.agent.indicators(parameters) }.filter { seen.insert($0).inserted }
    }

    /// Each agent's opinion on `features` and the weighted consensus.
    func decide(_ features: MarketFeatures) -> Consensus {
        Consensus(opinions: agents.map { a in
            let o = a.agent.opinion(features, parameters)
            return PB.AgentOpinion(agent: a.agent.info.name, action: o.action, confidence: o.confidence, weight: a.weight, reasoning: o.reasoning)
        }, threshold: threshold)
    }
}
