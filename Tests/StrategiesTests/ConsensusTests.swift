import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// The rule agents as a `consensus` signal: wired to the right indicator outputs, scored by the
/// documented formula, validated like any other node, and the three presets are plain documents.
@Suite struct ConsensusTests {
    static func live(_ json: String) throws -> LiveStrategy {
        LiveStrategy(plan: try StrategyCompiler.compile(try StrategyDocument(json: json)))
    }

    @Test("each agent reads its own indicators: the trend agent follows EMA(12) against EMA(26), the RSI agent RSI(14) against 30/70")
    func wiring() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 1_500, seed: 11)
        var strategy = try Self.live(StrategyTemplates.json(named: "balanced")!)
        var fast = try ConfiguredIndicator(parsing: "ema:12").makeEngine()
        var slow = try ConfiguredIndicator(parsing: "ema:26").makeEngine()
        var rsi = try ConfiguredIndicator(parsing: "rsi:14").makeEngine()
        var row = [Double](repeating: .nan, count: 4)
        var checkedTrend = 0, checkedRSI = 0
        for i in 0..<series.count {
            let bar = series.prices[i]
            _ = strategy.next(bar, timeNs: 0, position: .flat, entries: 0)
            func value(_ engine: inout any IndicatorEngine) -> Double {
                row.withUnsafeMutableBufferPointer { engine.update(bar, into: $0) ? $0[0] : .nan }
            }
            let f = value(&fast), s = value(&slow), r = value(&rsi)
            let votes = try #require(strategy.consensusVotes().first)
            #expect(votes.opinions.map(\.member.agent) == [.trend, .momentum, .rsiReversion, .volatility])
            let trend = votes.opinions[0].opinion, reversion = votes.opinions[2].opinion
            if f.isFinite, s.isFinite, f != s {
                #expect(trend.action == (f > s ? .buy : .sell), "bar \(i)")
                checkedTrend += 1
            }
            if r.isFinite {
                let expected: AgentOpinion.Action = r <= 30 ? .buy : (r >= 70 ? .sell : .hold)
                #expect(reversion.action == expected, "bar \(i): RSI \(r)")
                checkedRSI += 1
            }
            #expect((-1...1).contains(votes.score))
        }
        #expect(checkedTrend > 1_400 && checkedRSI > 1_400)
    }

    @Test("the score is the weighted vote: Σ buy w·c − Σ sell w·c over the counted weight")
    func score() throws {
        let series = try DriverEquivalenceTests.randomWalk(count: 600, seed: 5)
        var strategy = try Self.live(StrategyTemplates.json(named: "balanced")!)
        var buys = 0, sells = 0
        for i in 0..<series.count {
            let decision = strategy.next(series.prices[i], timeNs: series.timesNs[i], position: .flat, entries: 0)
            let votes = try #require(strategy.consensusVotes().first)
            var net = 0.0, counted = 0.0
            for (member, o) in votes.opinions {
                switch o.action {
                case .buy: net += member.weight * o.confidence; counted += member.weight
                case .sell: net -= member.weight * o.confidence; counted += member.weight
                case .hold: counted += member.weight * o.confidence
                }
                #expect(!o.reasoning.isEmpty)
            }
            let score = counted > 0 ? net / counted : 0
            #expect(abs(score - votes.score) < 1e-12)
            // Flat: the entry fires exactly when the score reaches the preset's threshold (0.25) once warm.
            if strategy.isWarm { #expect((decision.entry == Side.buy) == (score >= 0.25), "bar \(i)") }
            if score >= 0.25 { buys += 1 }
            if score <= -0.25 { sells += 1 }
        }
        #expect(buys > 0 && sells > 0)
    }

    @Test("the presets are documents: weights and agent parameters are parameters, a zero weight leaves an agent out")
    func presets() throws {
        let document = try StrategyDocument(json: StrategyTemplates.json(named: "trend_following")!)
        #expect(document.parameters.map(\.name).contains("rsi_reversion_weight"))
        let plan = try StrategyCompiler.compile(document, parameters: ["rsi_reversion_weight": 0.5, "fast_period": 5])
        var live = LiveStrategy(plan: plan)
        _ = live.next(PriceBar(open: 1, high: 1, low: 1, close: 1, volume: 1), timeNs: 0, position: .flat, entries: 0)
        let agents = live.consensusVotes().first?.opinions.map(\.member.agent)
        #expect(agents == [.trend, .momentum, .rsiReversion])
        #expect(plan.indicators.map(\.label).contains("ema_5"))
    }

    @Test("consensus nodes are validated at their pointers")
    func validation() {
        let unknown = ValidationTests.error(ValidationTests.rule(#"{"left": {"consensus": {"trnd": 1}}, "op": ">", "right": 0.3}"#))
        #expect(unknown?.code == .unknownName)
        #expect(unknown?.pointer == "/rules/entry_long/0/left/consensus/trnd")
        #expect(unknown?.message.contains(#"did you mean "trend"?"#) == true)
        let none = ValidationTests.error(ValidationTests.rule(#"{"left": {"consensus": {"trend": 0}}, "op": ">", "right": 0.3}"#))
        #expect(none?.pointer == "/rules/entry_long/0/left/consensus")
        let range = ValidationTests.error(
            ValidationTests.rule(#"{"left": {"consensus": {"trend": 1}, "agent_params": {"fast_period": 1}}, "op": ">", "right": 0.3}"#))
        #expect(range?.code == .invalidValue)
        #expect(range?.pointer == "/rules/entry_long/0/left/agent_params/fast_period")
        let order = ValidationTests.error(
            ValidationTests.rule(#"{"left": {"consensus": {"trend": 1}, "agent_params": {"fast_period": 30}}, "op": ">", "right": 0.3}"#))
        #expect(order?.message.contains("must be below slow_period") == true)
    }
}
