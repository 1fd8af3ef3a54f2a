import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// The external agents (`llm`, `news`, `macro`) vote from outside the program: the driver hands
/// their opinions in with the bar; without one an agent abstains and the others decide; a
/// backtest given the same votes as a live run decides the same on every bar.
@Suite struct ExternalAgentTests {
    static let ensemble = StrategyTemplates.json(named: "ai_ensemble")!

    static func plan(_ json: String = ensemble) throws -> StrategyPlan { try StrategyCompiler.compile(try StrategyDocument(json: json)) }

    /// Votes that change with the bar, as a model's, the news' and the economy's might.
    static func votes(_ i: Int) -> AgentVotes {
        let action: AgentOpinion.Action = i % 7 < 3 ? .buy : (i % 7 < 5 ? .sell : .hold)
        return AgentVotes([
            .llm: AgentOpinion(action: action, confidence: Double(i % 10) / 10, reasoning: "bar \(i)"),
            .news: AgentOpinion(action: i % 5 < 2 ? .sell : .buy, confidence: Double(i % 4) / 4, reasoning: "news \(i)"),
            .macro: AgentOpinion(action: i % 3 == 0 ? .sell : .hold, confidence: 0.5, reasoning: "macro \(i)"),
        ])
    }

    @Test func theLLMWeighsAsTheDesignSaysAndAbstainsWithoutAVote() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 400, seed: 3)
        var silent = LiveStrategy(plan: try Self.plan())
        var voting = LiveStrategy(plan: try Self.plan())
        #expect(silent.asksExternalAgents)
        var differed = 0
        for i in 0..<series.count {
            _ = silent.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0)
            _ = voting.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0, votes: Self.votes(i))
            let quiet = try #require(silent.consensusVotes().first)
            let loud = try #require(voting.consensusVotes(Self.votes(i)).first)
            #expect(quiet.opinions.map(\.member.agent) == [.trend, .momentum, .rsiReversion, .volatility, .llm, .news, .macro])
            #expect(quiet.opinions.map(\.member.weight) == [0.1, 0.075, 0.075, 0.15, 0.4, 0.1, 0.1])
            for agent in [TradingAgent.llm, .news, .macro] {
                let heard = try #require(loud.opinions.first { $0.member.agent == agent }?.opinion)
                let given = try #require(Self.votes(i).opinions[agent])
                #expect(heard.action == given.action && heard.confidence == given.confidence && heard.reasoning == given.reasoning)
                #expect(quiet.opinions.first { $0.member.agent == agent }?.opinion.confidence == 0)  // abstains: does not count
            }
            // The score with the vote is the score of the rule agents with the LLM's weight added.
            var net = 0.0, counted = 0.0
            for (member, o) in loud.opinions {
                switch o.action {
                case .buy: (net, counted) = (net + member.weight * o.confidence, counted + member.weight)
                case .sell: (net, counted) = (net - member.weight * o.confidence, counted + member.weight)
                case .hold: counted += member.weight * o.confidence
                }
            }
            #expect(abs(loud.score - (counted > 0 ? net / counted : 0)) < 1e-12)
            if abs(loud.score - quiet.score) > 1e-9 { differed += 1 }
        }
        #expect(differed > 200)
    }

    @Test func aBacktestGivenTheVotesDecidesAsTheLiveRunWithThem() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 1_200, seed: 8)
        let plan = try Self.plan()
        var settings = BacktestSettings(initialCash: try FixedDecimal(10_000), recordDecisions: true)
        let bars = Dictionary(uniqueKeysWithValues: series.timesNs.enumerated().map { ($0.element, $0.offset) })
        settings.votes = { Self.votes(bars[$0]!) }
        let batch = try Backtester(plan: plan, settings: settings).run(series)
        settings.streaming = true
        let streamed = try Backtester(plan: plan, settings: settings).run(series)
        #expect(batch.trades == streamed.trades)
        #expect(batch.decisions.map(\.bar) == streamed.decisions.map(\.bar))
        #expect(batch.decisions.map(\.decision) == streamed.decisions.map(\.decision))
        #expect(!batch.trades.isEmpty)
        settings.votes = nil
        let silent = try Backtester(plan: plan, settings: settings).run(series)
        #expect(silent.trades != batch.trades)
    }

    @Test func presetsLeaveTheLLMOutUntilGivenAWeight() throws {
        let balanced = try Self.plan(StrategyTemplates.json(named: "balanced")!)
        #expect(!LiveStrategy(plan: balanced).asksExternalAgents)
        let document = try StrategyDocument(json: StrategyTemplates.json(named: "balanced")!)
        let withLLM = try StrategyCompiler.compile(document, parameters: ["llm_weight": 0.5])
        #expect(LiveStrategy(plan: withLLM).asksExternalAgents && withLLM.externalAgents == [.llm])
        #expect(withLLM.warmup == balanced.warmup)  // an agent that may abstain holds nothing back
        let withNews = try StrategyCompiler.compile(document, parameters: ["news_weight": 0.2, "macro_weight": 0.1])
        #expect(withNews.externalAgents == [.news, .macro] && withNews.warmup == balanced.warmup)
    }
}
