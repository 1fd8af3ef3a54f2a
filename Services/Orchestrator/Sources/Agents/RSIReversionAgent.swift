import Contract
import Wire

/// Mean reversion on RSI: oversold is a buy, overbought a sell, surer the deeper past the level.
struct RSIReversionAgent: TradingAgent {
    let info = PB.AgentInfo(
        name: "rsi_reversion", kind: "chart", description: "RSI mean reversion: buys oversold, sells overbought", defaultWeight: 0.3)
    var parameters: [String: Double] { ["rsi_period": 14, "oversold": 30, "overbought": 70] }

    func indicators(_ p: StrategyParameters) -> [String] { ["rsi:\(p.period("rsi_period"))"] }

    func opinion(_ f: MarketFeatures, _ p: StrategyParameters) -> Opinion {
        guard let rsi = f.value(indicators(p)[0]) else { return .hold("RSI still warming up") }
        let low = p["oversold"], high = p["overbought"]
        let shown = rsi.formatted4
        if rsi <= low {
            return Opinion(action: .buy, confidence: min(1, 0.5 + (low - rsi) / 20), reasoning: "RSI \(shown) at or below \(low.formatted4): oversold")
        }
        if rsi >= high {
            return Opinion(action: .sell, confidence: min(1, 0.5 + (rsi - high) / 20), reasoning: "RSI \(shown) at or above \(high.formatted4): overbought")
        }
        return .hold("RSI \(shown) between \(low.formatted4) and \(high.formatted4)")
    }
}
