import Contract
import Strategies
import TradingCore

/// The agents that vote from outside a strategy's program (`TradingAgent.isExternal`), one of
/// each per process: bots ask them on every bar of a strategy that weighs them, backtests and
/// replays too.
struct ExternalAgents: Sendable {
    let llm: LLMAgent
    let news: NewsAgent
    let macro: MacroAgent

    /// The news and macro agents' votes for a bar of `symbol` closing at `closeNs`, for those of
    /// `asked` (the llm agent is asked by its callers, with its context).
    func votes(_ asked: [TradingAgent], symbol: String, closeNs: Int64) async -> [TradingAgent: AgentOpinion] {
        var opinions: [TradingAgent: AgentOpinion] = [:]
        if asked.contains(.news) { opinions[.news] = await news.vote(symbol: symbol, closeNs: closeNs) }
        if asked.contains(.macro) { opinions[.macro] = await macro.vote(closeNs: closeNs) }
        return opinions
    }

    /// Polls the news feeds and economic series until cancelled (each only when configured).
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await news.run() }
            group.addTask { await macro.run() }
        }
    }
}
