import ArgumentParser
import Foundation
import Indicators
import LanguageModels
import OrchestratorService
import Strategies
import TradingCore

/// The AI layer's own cost per decision, the provider's latency excluded (target < 1 ms): for a
/// bot running `ai_ensemble`, the strategy fed the bar on a copy (the indicators the agent is
/// shown), the market context written as the prompt, the request encoded in OpenAI's wire format,
/// a budget reserved and settled, a canned answer decoded and its vote checked, the news agent's
/// vote over 600 headlines of the last six hours and the macro agent's over six years of monthly
/// series, and the decision taken with the votes. The baseline in the same run: the same bot's
/// decision without the external agents.
struct AIBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ai", abstract: "The AI layer's overhead per decision against a rule-only decision.")

    @Option(help: "Decisions to time.")
    var decisions = 20_000

    func run() async throws {
        let series = BacktestBench.generate(count: 600 + decisions)
        let plan = try StrategyCompiler.compile(try StrategyDocument(json: StrategyTemplates.json(named: "ai_ensemble")!))
        var withAgent = LiveStrategy(plan: plan)
        var ruleOnly = LiveStrategy(plan: plan)
        var recent: [(timeNs: Int64, bar: PriceBar)] = []
        for i in 0..<600 {
            _ = withAgent.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0)
            _ = ruleOnly.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0)
            recent.append((series.timesNs[i], series.prices[i]))
        }
        recent = Array(recent.suffix(59))
        let format = OpenAIChatFormat()
        let answer = Array(Self.cannedAnswer.utf8)
        let budget = LLMBudget(
            limits: LLMLimits(callTokens: 1024, botDaily: try FixedDecimal(1_000_000), userDaily: try FixedDecimal(1_000_000), platformDaily: try FixedDecimal(1_000_000)),
            prices: try LLMPrices(parsing: "gpt-4o-mini=0.15/0.60"), ledger: MemoryUsageLedger())
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let words = ["Bitcoin rallies as ETF inflows grow", "Ethereum slides after upgrade delay", "Solana network halts again",
                     "Regulators probe exchange", "Bitcoin miners post record profits", "Markets steady ahead of the Fed"]
        let headlines = (0..<600).map { (i: Int) -> (title: String, publishedNs: Int64) in (words[i % words.count] + " (\(i))", now - Int64(i) * 36_000_000_000) }
        let months = 72
        let rates = (0..<months).map { (i: Int) -> Double in 0.25 + Double(i) * 0.07 }
        let inflation = (0..<months).map { (i: Int) -> Double in 100 * pow(1.003, Double(i)) }
        let unemployment = (0..<months).map { (i: Int) -> Double in 3.6 + 0.4 * sin(Double(i) / 9) }
        let firstMonth = now - Int64(months) * 30 * 86_400_000_000_000
        let (news, macro) = await ExternalAgents.inHand(
            headlines: headlines, firstMonthNs: firstMonth, rates: rates, inflation: inflation, unemployment: unemployment)
        var agentNs: [Double] = [], baselineNs: [Double] = []
        var promptBytes = 0, buys = 0
        for i in 600..<(600 + decisions) {
            let bar = series.prices[i], time = series.timesNs[i]
            var start = nowNs()
            _ = ruleOnly.next(bar, timeNs: time, position: .flat, entries: 0)
            baselineNs.append(Double(nowNs() - start))

            start = nowNs()
            var peek = withAgent
            _ = peek.next(bar, timeNs: time, position: .flat, entries: 0)
            let context = MarketContext(
                symbol: "BTC/USDT", timeframe: "1h", bars: recent + [(time, bar)], indicators: peek.indicatorValues(), position: .flat,
                recentActions: ["hold", "hold", "buy", "hold", "hold"])
            let request = LLMAgent.request(context.prompt)
            let body = Array(format.body(request, model: "gpt-4o-mini", streaming: false).jsonText.utf8)
            let worst = try budget.worstCost(request, model: "gpt-4o-mini")
            let reservation = try await budget.reserve(worst, user: "bench", bot: "bot")
            let response = try format.response(try JSONValue(parsing: String(decoding: answer, as: UTF8.self)), to: request)
            budget.settle(reservation, cost: budget.prices.cost(response.usage, model: "gpt-4o-mini") ?? worst)
            let opinion = try LLMAgent.read(response.structured).get()
            let heard = await news.vote(symbol: "BTC/USDT", closeNs: now)
            let economy = await macro.vote(closeNs: now)
            let decision = withAgent.next(bar, timeNs: time, position: .flat, entries: 0, votes: AgentVotes([.llm: opinion, .news: heard, .macro: economy]))
            agentNs.append(Double(nowNs() - start))

            promptBytes = body.count
            if decision.entry == .buy { buys += 1 }
            recent.append((time, bar))
            recent.removeFirst()
        }
        agentNs.sort()
        baselineNs.sort()
        let overhead = percentile(agentNs, 0.5) - percentile(baselineNs, 0.5)
        printFigures("ai.decision_overhead", [
            ("decisions", Double(decisions)), ("request_bytes", Double(promptBytes)), ("entries", Double(buys)),
            ("us_median", percentile(agentNs, 0.5) / 1e3), ("us_p99", percentile(agentNs, 0.99) / 1e3),
            ("baseline_rule_only_us_median", percentile(baselineNs, 0.5) / 1e3), ("baseline_rule_only_us_p99", percentile(baselineNs, 0.99) / 1e3),
            ("overhead_us_median", overhead / 1e3),
        ])
    }

    /// An answer as OpenAI sends it (Chat Completions, structured output).
    static let cannedAnswer = #"""
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"{\"action\":\"buy\",\"confidence\":0.62,\"reasoning\":\"Higher lows over the last five bars with rising volume; RSI is not stretched.\"}","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":812,"completion_tokens":41,"total_tokens":853}}
        """#
}
