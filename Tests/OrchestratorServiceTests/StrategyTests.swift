import Contract
import Foundation
import RPC
import Strategies
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

@Suite("Strategies as the orchestrator resolves them, the assistant, backtests on the wire")
struct StrategyTests {
    @Test func strategiesResolveAndRefuse() throws {
        let balanced = try Strategy(nil)
        #expect(balanced.name == "balanced" && balanced.plan.consensus.first?.members.count == 4 && balanced.parameters["threshold"] == 0.25)
        #expect(Set(balanced.plan.indicators.map(\.label)) == ["ema_12", "ema_26", "sma_26", "macd_12_26_9", "rsi_14", "bbands_20_2_2_0", "atr_14"])
        let custom = try Strategy(PB.StrategyConfig(
            name: "trend_following", parameters: ["fast_period": 5, "slow_period": 20], agents: [PB.AgentWeight(agent: "trend", weight: 1)],
            consensusThreshold: 0.5))
        #expect(custom.plan.consensus.first?.members.map(\.agent) == [.trend])
        #expect(Set(custom.plan.indicators.map(\.label)) == ["ema_5", "ema_20", "sma_20"] && custom.config.parameters["fast_period"] == 5)
        #expect(custom.config.consensusThreshold == 0.5 && custom.config.document.isEmpty)
        func refusal(_ config: PB.StrategyConfig) -> String {
            do { _ = try Strategy(config); return "" } catch { return "\(error.code.rawValue) \(error.message)" }
        }
        #expect(refusal(PB.StrategyConfig(name: "moon")).contains("is not a template; use one of sma_cross"))
        #expect(refusal(PB.StrategyConfig(parameters: ["rsi_period": 1])).contains("rsi_period = 1.0 is outside its declared range"))
        #expect(refusal(PB.StrategyConfig(parameters: ["typo": 1])).contains("declares no parameter \"typo\""))
        #expect(refusal(PB.StrategyConfig(parameters: ["fast_period": 30])).contains("must be below slow_period"))
        #expect(refusal(PB.StrategyConfig(agents: [PB.AgentWeight(agent: "oracle", weight: 1)])).contains("agent \"oracle\" is unknown"))
        #expect(refusal(PB.StrategyConfig(agents: [PB.AgentWeight(agent: "trend", weight: 0)])).contains("above 0"))
        #expect(refusal(PB.StrategyConfig(consensusThreshold: 1.5)).contains("threshold = 1.5 is outside its declared range"))
        #expect(refusal(PB.StrategyConfig(name: "sma_cross", agents: [PB.AgentWeight(agent: "trend", weight: 1)])).contains("sma_cross does not"))
        // A document of the user's own: compiled, echoed in full; its errors keep the language's code and pointer.
        let document = #"{"version": 1, "name": "mine", "rules": {"entry_long": [{"left": "close", "op": ">", "right": {"indicator": "sma", "period": 5}}]}}"#
        let mine = try Strategy(PB.StrategyConfig(document: document))
        let echoed = try StrategyDocument(json: mine.config.document)
        #expect(mine.name == "mine" && mine.isCustom && echoed == mine.document)
        let typo = refusal(PB.StrategyConfig(document: document.replacingOccurrences(of: "\"sma\"", with: "\"smaa\"")))
        #expect(typo.hasPrefix("orchestrator.invalid_strategy strategy.unknown_indicator: /rules/entry_long/0/right/indicator:"))
        #expect(typo.contains("did you mean \"sma\""))
        let short = document.replacingOccurrences(of: "entry_long", with: "entry_short")
        #expect(refusal(PB.StrategyConfig(document: short)).contains("strategy.shorting_not_allowed"))
        let stock = PB.Instrument(symbol: "AAPL", assetClass: .stock, tickSize: FixedDecimal(raw: 1_000_000).wire, lotSize: FixedDecimal.one.wire)
        let shortable = try Strategy(PB.StrategyConfig(document: short), instrument: stock)
        #expect(shortable.plan.entryShort != nil && shortable.plan.execution.tickSize == 0.01 && shortable.plan.sizing.lot == .one)
    }

    @Test func riskSettingsBecomeTheStrategysExitsAndSizing() throws {
        let risk = try BotRisk(PB.BotRiskSettings(riskPerTrade: 0.01, stopLossPct: 0.02, takeProfitPct: 0.05))
        let strategy = try Strategy(PB.StrategyConfig(name: "sma_cross"), risk: risk)
        #expect(strategy.plan.stopLoss == .percent(2) && strategy.plan.takeProfit == .percent(5))
        #expect(strategy.plan.sizing.model == .riskPercent && strategy.plan.sizing.percent == 1)
        let atr = try Strategy(PB.StrategyConfig(name: "sma_cross"), risk: try BotRisk(PB.BotRiskSettings(sizingModel: "atr")))
        #expect(atr.plan.sizing.model == .atr && atr.plan.sizing.percent == 2 && atr.plan.indicators.map(\.label).contains("atr_14"))
        // Without sizing settings the document's own sizing stands.
        #expect(try Strategy(PB.StrategyConfig(name: "sma_cross"), risk: try BotRisk(PB.BotRiskSettings(stopLossPct: 0.1))).plan.sizing.model == .allIn)
    }

    @Test func assistantProposesAndAsks() throws {
        let assistant = StrategyAssistant()
        let vague = assistant.answer(["hello, make me money"])
        #expect(vague.strategy == nil && vague.questions.count == 2)
        // A style and an appetite without rules: an agent preset.
        let style = assistant.answer(["I like mean reversion, oversold 25", "be conservative"])
        #expect(style.strategy?.name == "mean_reversion" && style.strategy?.parameters["oversold"] == 25)
        #expect(abs((style.strategy?.consensusThreshold ?? 0) - 0.45) < 1e-12 && style.reply.contains("rsi_reversion (weight 0.7)"))
        let trend = assistant.answer(["follow the trend with EMA 50 and 10, aggressive"])
        #expect(trend.strategy?.parameters["fast_period"] == 10 && trend.strategy?.parameters["slow_period"] == 50)
        // Rules: a document of its own, asked for what is missing first.
        let dips = assistant.answer(["I want to buy dips when RSI is below 25"])
        #expect(dips.strategy == nil && dips.questions.first?.hasPrefix("When should it sell?") == true)
        let whole = assistant.answer(["I want to buy dips when RSI is below 25", "sell when it is above 60, stop loss 2%"])
        let document = try #require(whole.strategy?.document)
        #expect(document.contains(#""rsi""#) && document.contains(#""stop_loss":{"percent":2}"#))
        #expect(whole.reply.contains("buy when RSI(14) is below 25") && whole.reply.contains("sell when RSI(14) is above 60"))
        #expect(whole.reply.contains("stop loss at 2%") && whole.questions.isEmpty)
    }

    @Test func backtestsOnTheWire() throws {
        // 60 flat bars, 40 rising 1 % a bar, 40 falling 1 % a bar.
        var price = 100.0
        var candles: [PB.Candle] = []
        for i in 0..<140 {
            let open = price
            price *= i < 60 ? (i % 2 == 0 ? 1.001 : 0.999) : i < 100 ? 1.01 : 0.99
            candles.append(PB.Candle(
                symbol: "X", timeframe: .m1, openTimeNs: Int64(i) * 60_000_000_000, open: open, high: max(open, price), low: min(open, price), close: price,
                volume: 1, closed: true))
        }
        let strategy = try Strategy(PB.StrategyConfig(name: "ema_cross", parameters: ["fast": 3, "slow": 8]))
        let series = try StrategyBacktest.series(candles)
        let cash = FixedDecimal(raw: 10_000 * FixedDecimal.unitsPerOne)
        let outcome = try Backtester(plan: strategy.plan, settings: BacktestSettings(initialCash: cash, calendar: .crypto)).run(series)
        let wire = StrategyBacktest.wire(outcome, strategy, series, request: PB.BacktestRequest(), id: "x", now: 1)
        #expect(wire.tradeCount >= 1 && wire.trades.count == outcome.trades.count)
        let first = try #require(wire.trades.first)
        #expect(first.exitReason == "signal" && wire.trades.contains { FixedDecimal(wire: $0.pnl) > .zero })
        // Cash accounts for every trade: initial + Σ pnl (+ the open trade's mark).
        let pnl = (wire.trades + (wire.openTrade.map { [$0] } ?? [])).map { FixedDecimal(wire: $0.pnl).doubleValue }.reduce(0, +)
        #expect(abs(FixedDecimal(wire: wire.finalEquity).doubleValue - (10_000 + pnl)) < 0.05)
        #expect(wire.equityCurve.count == candles.count && wire.equityCurve.last?.tsNs == candles.last?.openTimeNs)
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(wire.metricsJson.utf8)) as? [String: Any])
        #expect(metrics["trades"] as? Int == outcome.trades.count && metrics["periods_per_year"] as? Double == 365 * 24 * 60)
        #expect(wire.maxDrawdown > 0 && wire.maxDrawdown < 0.5)
    }
}
