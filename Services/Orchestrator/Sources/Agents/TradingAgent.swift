import Contract
import Wire

/// One agent's vote on a bar: what it would do, how sure it is (0…1) and why, in words.
struct Opinion: Sendable, Hashable {
    var action: PB.Action
    var confidence: Double
    var reasoning: String

    static func hold(_ reasoning: String, confidence: Double = 0) -> Opinion {
        Opinion(action: .hold, confidence: confidence, reasoning: reasoning)
    }
}

/// An agent plugin: reads indicator features and votes. Agents are pure (same features and
/// parameters, same opinion), so live bots, Analyze and backtests agree bar for bar.
protocol TradingAgent: Sendable {
    /// Name, kind, description and default weight, as ListAgents shows them.
    var info: PB.AgentInfo { get }
    /// The strategy parameters it reads, with their defaults.
    var parameters: [String: Double] { get }
    /// The indicator specs it needs under `p` (`ema:12`, `rsi:14`).
    func indicators(_ p: StrategyParameters) -> [String]
    /// Its vote on `features` under `p`.
    func opinion(_ features: MarketFeatures, _ p: StrategyParameters) -> Opinion
}

/// The agents a strategy can weigh, by name.
enum AgentRegistry {
    static let standard: [any TradingAgent] = [TrendAgent(), MomentumAgent(), RSIReversionAgent(), VolatilityAgent()]

    static func agent(named name: String) -> (any TradingAgent)? { standard.first { $0.info.name == name } }
}
