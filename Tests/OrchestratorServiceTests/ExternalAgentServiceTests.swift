import Contract
import Foundation
import PlatformTesting
import ServiceKit
import ServiceKitTesting
import Strategies
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

/// The news and macro agents in a running orchestrator: a bot on `ai_ensemble` hears the news
/// feed (a local RSS server) and the configured risk-off window, its decisions keep their votes
/// and reasons, a replay gives them back, and a backtest says what each did.
@Suite("News and macro agents in bots and backtests", .serialized)
struct ExternalAgentServiceTests {
    @Test func newsAndMacroVoteInABotAndInABacktest() async throws {
        let feed = NewsAgentTests.rss([("Bitcoin surges as ETF inflows hit a record", 480 * 60), ("Solana halts block production", 470 * 60)])
        try await ScriptedHTTPServer.with({ _, _ in NewsAgentTests.xml(feed) }) { port, server in
            try await withPlatform { p in
                let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 500) * minute
                var price = 40_000.0
                try await p.market.deliver(candles(from: t0, count: 60, price: &price, step: 1.001), publish: false)
                let startPrice = price
                let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
                try await withOrchestrator(p, adjust: { settings in
                    settings.news.feeds = [URL(string: "http://127.0.0.1:\(port)/rss")!]
                    settings.news.maxAge = .seconds(12 * 3600)
                    settings.macro.windows = [RiskWindow(label: "TEST", startNs: t0, endNs: t0 + 200 * minute)]
                }) { orchestrator in
                    let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                        ownerId: "ada", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(name: "ai_ensemble"), accountId: account))
                    _ = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                    let decisions = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                    var next = t0 + 60 * minute
                    var price = startPrice
                    var heard: PB.Decision?
                    for _ in 0..<8 where heard == nil {
                        let candle = candles(from: next, count: 1, price: &price, step: 1.001)[0]
                        next += minute
                        try await p.market.quote("BTC/USDT", last: candle.close)
                        try await p.market.deliver([candle])
                        let d = try #require(await decisions.next())
                        let macro = try #require(d.opinions.first { $0.agent == "macro" })
                        #expect(macro.action == .sell && macro.confidence == 1 && macro.reasoning == "risk-off: inside the window TEST" && macro.weight == 0.1)
                        if d.opinions.first(where: { $0.agent == "news" })?.confidence ?? 0 > 0 { heard = d }
                    }
                    let decided = try #require(heard, "the news agent never voted")
                    let news = try #require(decided.opinions.first { $0.agent == "news" })
                    #expect(news.action == .buy && news.weight == 0.1)
                    #expect(news.reasoning.hasPrefix("1 headline about BTC in the last 12.0 h") && news.reasoning.contains("Bitcoin surges"), "\(news.reasoning)")
                    #expect(server.requests.allSatisfy { $0.target == "/rss" } && !server.requests.isEmpty)
                    // Replayed from the stored votes: nothing differs.
                    let replay = try await orchestrator.replayDecision(PB.ReplayDecisionRequest(decisionId: decided.id))
                    #expect(!replay.differs && replay.agents.first { $0.agent == "news" }?.replayed?.reasoning == news.reasoning)

                    // A backtest: the macro agent votes from the window on the bars inside it; the news agent abstains.
                    let request = PB.BacktestRequest(
                        symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: t0, toNs: t0 + 60 * minute), strategy: PB.StrategyConfig(name: "ai_ensemble"),
                        initialCash: dec("100000"))
                    let job = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: request)).id, owner: "ada")
                    #expect(job.status == .done, "\(job.error)")
                    let metrics = try JSONValue(parsing: job.resultJson)
                    #expect(metrics["news"]?.string?.hasPrefix("abstained on every bar") == true)
                    #expect(metrics["macro"]?["bars_voted"]?.integer == 60 && metrics["macro"]?["bars_abstained"]?.integer == 0, "\(metrics["macro"]?.jsonText ?? "")")
                    #expect(metrics["llm"]?["model"]?.string == "none: the llm agent abstained")
                }
            }
        }
    }

    /// A macro veto inside a risk-off window blocks every entry, in a backtest and in each trial of
    /// an optimisation alike (the votes are gathered once and read by bar time, so walk-forward
    /// windows read them too); outside any window the same strategy trades.
    @Test func aMacroVetoBlocksEntriesInBacktestsAndOptimisations() async throws {
        let document = #"{"version":1,"name":"trend under a macro veto","parameters":{"fast":{"int":[3,20],"default":5}},"signals":{"score":{"consensus":{"trend":1},"agent_params":{"fast_period":"$fast","slow_period":20},"veto":{"macro":0.9}}},"rules":{"entry_long":[{"left":"score","op":">=","right":0.2}],"exit_long":[{"left":"score","op":"<=","right":-0.2}]},"execution":{"fill":"close"}}"#
        try await withPlatform { p in
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 900) * minute
            var price = 40_000.0
            var built: [PB.Candle] = []
            for (i, step) in [1.004, 0.996, 1.005, 0.995, 1.003, 0.997].enumerated() {
                built += candles(from: t0 + Int64(i * 40) * minute, count: 40, price: &price, step: step)
            }
            let bars = built
            try await p.market.deliver(bars, publish: false)
            let backtest = PB.BacktestRequest(
                symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: t0, toNs: t0 + Int64(bars.count) * minute),
                strategy: PB.StrategyConfig(document: document), initialCash: dec("100000"))
            let search = PB.OptimizationRequest(backtest: backtest, ranges: [PB.ParameterRangeSpec(name: "fast", values: [3, 5, 8])], objective: "total_return")
            func run(window: Bool) async throws -> (trades: Int, trialTrades: [Int]) {
                try await withOrchestrator(p, adjust: { settings in
                    if window { settings.macro.windows = [RiskWindow(label: "all day", startNs: t0, endNs: t0 + 1_000 * minute)] }
                }) { orchestrator in
                    let done = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: backtest)).id, owner: "ada")
                    #expect(done.status == .done, "\(done.error)")
                    let optimized = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: search)).id, owner: "ada")
                    #expect(optimized.status == .done, "\(optimized.error)")
                    let trials = try JSONValue(parsing: optimized.resultJson)["results"]?.array ?? []
                    return (
                        try JSONValue(parsing: done.resultJson)["trades"]?.integer ?? -1,
                        trials.map { $0["metrics"]?["trades"]?.integer ?? -1 }
                    )
                }
            }
            let free = try await run(window: false)
            #expect(free.trades > 0 && free.trialTrades.count == 3 && free.trialTrades.allSatisfy { $0 > 0 }, "\(free)")
            let vetoed = try await run(window: true)
            #expect(vetoed.trades == 0 && vetoed.trialTrades == [0, 0, 0], "\(vetoed)")
        }
    }
}
