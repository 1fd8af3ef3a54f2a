import Foundation
import LanguageModels
import ServiceKit

/// The orchestrator's own settings (beside the host's), read from the same sources and validated
/// at start-up.
public struct OrchestratorSettings: Sendable {
    /// market-data (`peers.market_data`): instruments and candles for Analyze and backtests.
    public var marketData: PeerAddress?
    /// risk (`peers.risk`): checks, and the way orders reach execution.
    public var risk: PeerAddress?
    /// execution (`peers.execution`): accounts and the bot's position.
    public var execution: PeerAddress?
    /// Most candles a backtest replays.
    public var backtestMaxBars = 200_000
    /// Closed candles Analyze and starting bots warm the indicators over.
    public var analyzeBars = 500
    /// Jobs (backtests, optimisations) run at once by this process; more wait queued.
    public var jobWorkers = 1
    /// Threads one optimisation job uses (the machine's cores by default).
    public var jobThreads = ProcessInfo.processInfo.activeProcessorCount
    /// Most parameter sets one optimisation may try.
    public var optimizeMaxTrials = 10_000
    /// The AI layer (`ai.*`): the model provider, its deadline, limits and prices.
    public var ai = LLMSettings()
    /// The news agent (`news.*`): feeds, freshness, how headlines are scored.
    var news = NewsSettings()
    /// The macro agent (`macro.*`): FRED series and risk-off windows.
    var macro = MacroAgent.Settings()

    /// The defaults of the table in the README.
    public init() {}

    static let keys: Set<String> = Set([
        "peers.market_data", "peers.risk", "peers.execution", "backtest.max_bars", "analyze.bars", "jobs.workers", "jobs.threads", "optimize.max_trials",
    ]).union(LLMSettings.keys).union(NewsSettings.keys).union(MacroAgent.Settings.keys)

    /// Reads the settings from `v`.
    public static func read(_ v: ConfigValues) throws(ConfigError) -> OrchestratorSettings {
        var s = OrchestratorSettings()
        s.marketData = try v.peer("peers.market_data")
        s.risk = try v.peer("peers.risk")
        s.execution = try v.peer("peers.execution")
        s.backtestMaxBars = try v.int("backtest.max_bars", default: s.backtestMaxBars, range: 100...5_000_000)
        s.analyzeBars = try v.int("analyze.bars", default: s.analyzeBars, range: 50...100_000)
        s.jobWorkers = try v.int("jobs.workers", default: s.jobWorkers, range: 1...64)
        s.jobThreads = try v.int("jobs.threads", default: s.jobThreads, range: 1...256)
        s.optimizeMaxTrials = try v.int("optimize.max_trials", default: s.optimizeMaxTrials, range: 1...10_000_000)
        s.ai = try LLMSettings.read(v)
        s.news = try NewsSettings.read(v)
        s.macro = try MacroAgent.Settings.read(v)
        if s.news.sentiment == "llm", s.ai.endpoint == nil {
            throw ConfigError(key: "news.sentiment", message: "= llm needs a language model (ai.provider); use auto or lexicon without one")
        }
        return s
    }
}
