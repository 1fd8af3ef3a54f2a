import Contract
import RPC
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

@Suite("Strategies, consensus, assistant, backtester")
struct StrategyTests {
    @Test func consensusWeighsConfidenceAndConfidentHolds() throws {
        let opinions = [
            PB.AgentOpinion(agent: "a", action: .buy, confidence: 0.8, weight: 0.5),
            PB.AgentOpinion(agent: "b", action: .sell, confidence: 0.2, weight: 0.25),
            PB.AgentOpinion(agent: "c", action: .hold, confidence: 0, weight: 0.25),
        ]
        // (0.4 - 0.05) / 0.75: the abstaining hold does not count.
        let c = Consensus(opinions: opinions, threshold: 0.3)
        #expect(c.action == .buy && abs(c.confidence - 0.35 / 0.75) < 1e-12)
        var cautious = opinions
        cautious[2].confidence = 1
        // A confident hold dilutes: 0.35 / 1.0 = 0.35, still ≥ 0.3; at 0.4 it holds.
        #expect(Consensus(opinions: cautious, threshold: 0.3).action == .buy)
        let held = Consensus(opinions: cautious, threshold: 0.4)
        #expect(held.action == .hold && held.reasoning.hasPrefix("hold: |score| 0.35 below 0.4"))
        #expect(Consensus(opinions: [PB.AgentOpinion(agent: "a", action: .sell, confidence: 1, weight: 1)], threshold: 1).action == .sell)
    }

    @Test func strategiesResolveAndRefuse() throws {
        let balanced = try Strategy(nil)
        #expect(balanced.name == "balanced" && balanced.agents.count == 4 && balanced.threshold == 0.25)
        #expect(Set(balanced.indicatorSpecs) == ["ema:12", "ema:26", "sma:26", "macd:12,26,9", "rsi:14", "bbands:20,2,2", "atr:14"])
        let custom = try Strategy(PB.StrategyConfig(
            name: "trend_following", parameters: ["fast_period": 5, "slow_period": 20], agents: [PB.AgentWeight(agent: "trend", weight: 2)],
            consensusThreshold: 0.5))
        #expect(custom.indicatorSpecs == ["ema:5", "ema:20", "sma:20"] && custom.config.parameters["fast_period"] == 5)
        func refusal(_ config: PB.StrategyConfig) -> String {
            do { _ = try Strategy(config); return "" } catch { return error.message }
        }
        #expect(refusal(PB.StrategyConfig(name: "moon")).contains("unknown; known: balanced, trend_following, mean_reversion"))
        #expect(refusal(PB.StrategyConfig(parameters: ["rsi_period": 1])).contains("rsi_period = 1.0 is out of range"))
        #expect(refusal(PB.StrategyConfig(parameters: ["typo": 1])).contains("\"typo\" is unknown"))
        #expect(refusal(PB.StrategyConfig(parameters: ["fast_period": 30])).contains("must be below slow_period"))
        #expect(refusal(PB.StrategyConfig(agents: [PB.AgentWeight(agent: "oracle", weight: 1)])).contains("agent \"oracle\" is unknown"))
        #expect(refusal(PB.StrategyConfig(agents: [PB.AgentWeight(agent: "trend", weight: 0)])).contains("above 0"))
        #expect(refusal(PB.StrategyConfig(consensusThreshold: 1.5)).contains("(0, 1]"))
    }

    @Test func agentsReadTheirColumns() throws {
        let p = try StrategyParameters([:])
        let up = MarketFeatures(close: 101, values: ["ema_12": 101, "ema_26": 100, "sma_26": 99, "rsi_14": 20, "macd_12_26_9_hist": 0.5])
        let trend = TrendAgent().opinion(up, p)
        #expect(trend.action == .buy && trend.confidence == 1)
        #expect(RSIReversionAgent().opinion(up, p).action == .buy)
        #expect(MomentumAgent().opinion(up, p).action == .buy)
        let wild = MarketFeatures(close: 100, values: ["atr_14": 10, "bbands_20_2_2_upper": 110, "bbands_20_2_2_lower": 90])
        #expect(VolatilityAgent().opinion(wild, p) == .hold("ATR is 10.0% of price, above 5.0%: too volatile", confidence: 1))
        #expect(TrendAgent().opinion(MarketFeatures(close: 1, values: [:]), p).confidence == 0)
    }

    @Test func assistantProposesAndAsks() throws {
        let assistant = StrategyAssistant()
        let vague = assistant.answer(["hello, make me money"])
        #expect(vague.strategy == nil && vague.questions.count == 2)
        let dips = assistant.answer(["I want to buy dips when RSI is below 25", "be conservative, stop loss 2%"])
        #expect(dips.strategy?.name == "mean_reversion" && dips.strategy?.parameters["oversold"] == 25)
        #expect(abs((dips.strategy?.consensusThreshold ?? 0) - 0.45) < 1e-12 && dips.reply.contains("stop_loss_pct 0.02"))
        #expect(dips.questions.isEmpty)
        let trend = assistant.answer(["follow the trend with EMA 50 and 10, aggressive"])
        #expect(trend.strategy?.parameters["fast_period"] == 10 && trend.strategy?.parameters["slow_period"] == 50)
        #expect(assistant.answer(["buy dips, RSI below 80"]).reply.contains("out of range"))
    }

    @Test func backtesterTradesAndMeasures() throws {
        // 60 flat bars, 40 rising 1 % a bar, 40 falling 1 % a bar: one long round trip.
        var price = 100.0
        var candles: [PB.Candle] = []
        for i in 0..<140 {
            let open = price
            price *= i < 60 ? (i % 2 == 0 ? 1.001 : 0.999) : i < 100 ? 1.01 : 0.99
            candles.append(PB.Candle(
                symbol: "X", timeframe: .m1, openTimeNs: Int64(i) * 60_000_000_000, open: open, high: max(open, price), low: min(open, price), close: price,
                volume: 1, closed: true))
        }
        let strategy = try Strategy(PB.StrategyConfig(name: "trend_following"))
        let risk = try BotRisk(PB.BotRiskSettings(riskPerTrade: 0.5))
        let outcome = try Backtester(strategy: strategy, risk: risk, initialCash: 10_000, feeRate: 0.001, slippageBps: 0, timeframe: .m1).run(candles)
        #expect(outcome.trades.count >= 1)
        let first = try #require(outcome.trades.first)
        #expect(FixedDecimal(wire: first.pnl) > .zero && FixedDecimal(wire: first.exitPrice) > FixedDecimal(wire: first.entryPrice))
        // Cash accounts for every trade: initial + Σ pnl.
        let pnl = outcome.trades.map { FixedDecimal(wire: $0.pnl).doubleValue }.reduce(0, +)
        #expect(abs(outcome.finalEquity - (10_000 + pnl)) < 1e-4)
        #expect(outcome.curve.count == candles.count && outcome.curve.last?.equity == outcome.finalEquity)
        #expect(outcome.maxDrawdown > 0 && outcome.maxDrawdown < 0.5 && outcome.winRate > 0)
        #expect(EquityStatistics.maxDrawdown([100, 120, 90, 130, 65]) == 0.5)
        #expect(EquityStatistics.sharpe([100, 100, 100], periodsPerYear: 1) == 0)
    }
}
