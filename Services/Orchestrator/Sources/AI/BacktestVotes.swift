import Contract
import Crypto
import Foundation
import Indicators
import LanguageModels
import RPC
import ServiceKit
import Store
import Strategies
import TradingCore
import Wire

/// The external agents' votes for every bar of a backtest, gathered before it runs. The macro
/// agent votes from the economic values published by each bar's close and the risk-off windows;
/// the news agent abstains (there is no archive of the headlines a bar would have seen, and
/// today's would leak the future). The LLM agent is asked about each bar: the bars'
/// contexts are written with the leakage guard on (no symbol, no dates, prices rebased; no
/// position, so the votes do not depend on the run and a re-run asks the same), answers are taken
/// from the cache where the same question was asked of the same model before, and the rest are
/// asked in order, each within the budgets. Before any call, the calls still to make and their
/// worst cost are checked against the budget as a whole: over it, the backtest is refused, naming
/// the limit, unless the cache covers it.
struct BacktestVotes: Sendable {
    /// By bar; empty when no external agent votes on any bar.
    var votes: [AgentVotes]
    var summary: Summary
    /// What the news and macro agents did, for the result's metrics (`news`, `macro`).
    var notes: [String: JSONValue] = [:]

    /// The votes as a backtest reads them, by bar time; nil when there are none.
    func byTime(_ series: BarSeries) -> (@Sendable (Int64) -> AgentVotes)? {
        guard !votes.isEmpty else { return nil }
        let table = Dictionary(zip(series.timesNs, votes), uniquingKeysWith: { first, _ in first })
        return { table[$0] ?? .none }
    }

    struct Summary: Sendable {
        var model = ""
        /// Bars the agent was asked about (after the warm-up).
        var bars = 0
        var cached = 0
        var called = 0
        /// Calls that failed, came back malformed, or a budget refused mid-run.
        var abstained = 0
        var cost = FixedDecimal.zero
        var guarded = true

        /// For the result's metrics.
        var json: JSONValue {
            .object([
                "model": .string(model), "bars_asked": .number(Double(bars)), "cached": .number(Double(cached)), "called": .number(Double(called)),
                "abstained": .number(Double(abstained)), "cost_usd": .string(cost.description), "leakage_guard": .bool(guarded),
            ])
        }
    }

    static func compute(
        plan: StrategyPlan, series: BarSeries, timeframe: String, agents: ExternalAgents, user: String, store: Store, maxCalls: Int
    ) async throws -> BacktestVotes? {
        let asked = plan.externalAgents
        guard !asked.isEmpty else { return nil }
        var result =
            asked.contains(.llm)
            ? try await llm(plan: plan, series: series, timeframe: timeframe, agent: agents.llm, user: user, store: store, maxCalls: maxCalls)
            : BacktestVotes(votes: [], summary: Summary(model: "not weighed"))
        if asked.contains(.news) {
            result.notes["news"] = "abstained on every bar: there is no archive of the headlines each bar would have seen"
        }
        if asked.contains(.macro), let step = Timeframe(rawValue: timeframe)?.nanoseconds {
            let opinions = await agents.macro.votes(closes: series.timesNs.map { $0 + step })
            if result.votes.isEmpty { result.votes = [AgentVotes](repeating: .none, count: series.count) }
            var voted = 0
            for (i, opinion) in opinions.enumerated() {
                result.votes[i].opinions[.macro] = opinion
                if opinion.confidence > 0 { voted += 1 }
            }
            result.notes["macro"] = .object([
                "bars_voted": .number(Double(voted)), "bars_abstained": .number(Double(opinions.count - voted)),
                "note": "values count from their publication (period date + lag), risk-off windows as configured",
            ])
        }
        return result
    }

    /// The LLM agent's votes, by bar.
    private static func llm(
        plan: StrategyPlan, series: BarSeries, timeframe: String, agent: LLMAgent, user: String, store: Store, maxCalls: Int
    ) async throws -> BacktestVotes {
        guard let model = agent.model else { return BacktestVotes(votes: [], summary: Summary(model: "none: the llm agent abstained")) }
        var live = LiveStrategy(plan: plan)
        var window: [(timeNs: Int64, bar: PriceBar)] = []
        var asks: [(bar: Int, request: LLMRequest, key: String)] = []
        for i in 0..<series.count {
            let bar = series.prices[i]
            _ = live.next(bar, timeNs: series.timesNs[i], position: .flat, entries: 0)
            window.append((series.timesNs[i], bar))
            if window.count > BotState.contextBars { window.removeFirst() }
            guard live.isWarm else { continue }
            var context = MarketContext(
                symbol: "", timeframe: timeframe, bars: window, indicators: live.indicatorValues(), position: .flat, recentActions: [])
            context.guarded = true
            let request = LLMAgent.request(context.prompt)
            asks.append((i, request, key(model.client.endpoint.model, request)))
        }
        var summary = Summary(model: model.name, bars: asks.count)
        var answers: [Int: String] = [:]
        for ask in asks {
            if let text: String = try await store.query("SELECT response FROM llm_cache WHERE key = \(ask.key)").first?.decode(at: 0) {
                answers[ask.bar] = text
            }
        }
        summary.cached = answers.count
        let uncached = asks.filter { answers[$0.bar] == nil }
        if uncached.count > maxCalls {
            throw OrchestratorError(
                .invalidArgument,
                "this backtest would ask \(model.name) about \(uncached.count) bars (\(summary.cached) answers are cached); at most ai.backtest_max_calls = \(maxCalls) calls are made for one backtest: shorten the range or use a longer timeframe")
        }
        if let first = uncached.first {
            // The whole run's worst cost, held and released at once: over a limit, nothing is asked.
            let perCall = try model.budget.worstCost(first.request, model: model.client.endpoint.model)
            let total = (try? FixedDecimal(uncached.count).multiplied(by: perCall, rounding: .up)) ?? FixedDecimal(raw: .max)
            do {
                let hold = try await model.budget.reserve(total, user: user, bot: nil)
                model.budget.settle(hold, cost: .zero)
            } catch {
                throw LLMError(
                    .budgetExhausted,
                    "this backtest would ask \(model.name) about \(uncached.count) bars (\(summary.cached) cached), up to $\(total): \(error.message); the cached bars cost nothing, so a shorter range may fit")
            }
        }
        var votes = [AgentVotes](repeating: .none, count: series.count)
        var spentOut = false
        for ask in asks {
            if let text = answers[ask.bar], case .success(let opinion) = LLMAgent.read(try? JSONValue(parsing: text)) {
                votes[ask.bar] = AgentVotes([.llm: opinion])
                continue
            }
            guard !spentOut else {
                summary.abstained += 1
                continue
            }
            do {
                let answer = try await model.ask(ask.request, user: user)
                summary.called += 1
                summary.cost = summary.cost.plus(answer.cost)
                guard case .success(let opinion) = LLMAgent.read(answer.response.structured) else {
                    summary.abstained += 1
                    continue
                }
                votes[ask.bar] = AgentVotes([.llm: opinion])
                try await store.execute("""
                    INSERT INTO llm_cache (key, model, response, created_at_ns) VALUES (\(ask.key), \(model.name), \(answer.response.text), \(WallClock.nowNs))
                    ON CONFLICT (key) DO NOTHING
                    """)
            } catch let error as LLMError {
                // A budget spent mid-run: the agent abstains for the rest, the run goes on.
                if error.code == .budgetExhausted { spentOut = true }
                summary.abstained += 1
            }
        }
        return BacktestVotes(votes: votes, summary: summary)
    }

    /// The cache key: SHA-256 of the model and everything asked.
    static func key(_ model: String, _ request: LLMRequest) -> String {
        var sha = SHA256()
        let turns = request.messages.flatMap(\.content).map { part -> String in
            if case .text(let t) = part { return t }
            return ""
        }
        for part in [model, request.system, turns.joined(separator: "\u{1}"), request.responseSchema?.jsonText ?? ""] {
            sha.update(data: Array(part.utf8) + [0])
        }
        return sha.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
