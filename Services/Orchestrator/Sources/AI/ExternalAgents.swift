import Contract
import Foundation
import Logging
import Strategies
import TradingCore

/// The agents that vote from outside a strategy's program (`TradingAgent.isExternal`), one of
/// each per process: bots ask them on every bar of a strategy that weighs them, backtests and
/// replays too.
public struct ExternalAgents: Sendable {
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

extension ExternalAgents {
    /// News and macro agents over data in hand, polling nothing (`tradewind bench ai`): `headlines`
    /// (title, published) about any asset, scored by the lexicon as polled ones are; monthly
    /// `rates`, `inflation` and `unemployment` values from `firstMonthNs`, as FRED gives them.
    public static func inHand(
        headlines: [(title: String, publishedNs: Int64)], firstMonthNs: Int64, rates: [Double], inflation: [Double], unemployment: [Double]
    ) async -> (news: NewsAgent, macro: MacroAgent) {
        var newsSettings = NewsSettings()
        newsSettings.feeds = [URL(string: "http://127.0.0.1/in-hand")!]
        let news = NewsAgent(settings: newsSettings, model: nil, logger: Logger(label: "bench"), feeds: [HeldFeed()])
        await news.ingest(headlines.enumerated().map { NewsItem(id: "\($0.offset)", title: $0.element.title, summary: "", link: "", publishedNs: $0.element.publishedNs, source: "bench") })
        var macroSettings = MacroAgent.Settings()
        macroSettings.fred = (URL(string: "http://127.0.0.1/in-hand")!, "")
        let macro = MacroAgent(settings: macroSettings, logger: Logger(label: "bench"))
        func monthly(_ id: String, _ values: [Double]) -> EconomicSeries {
            EconomicSeries(id: id, observations: values.enumerated().map { (firstMonthNs + Int64($0.offset) * 30 * 86_400_000_000_000, $0.element) })
        }
        await macro.load([.rates: monthly("FEDFUNDS", rates), .inflation: monthly("CPIAUCSL", inflation), .unemployment: monthly("UNRATE", unemployment)])
        return (news, macro)
    }

    /// A feed with nothing new.
    private struct HeldFeed: NewsFeed {
        var name: String { "in-hand" }
        func fetch(assets: [String]) async throws(NewsFeedError) -> [NewsItem] { [] }
    }
}
