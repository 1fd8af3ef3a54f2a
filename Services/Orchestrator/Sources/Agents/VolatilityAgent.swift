import Contract
import Indicators
import Wire

/// The cautious voice: when ATR is large against the price it holds with confidence (a hold's
/// weight dilutes the others' votes); otherwise it leans against stretched prices outside the
/// Bollinger bands.
struct VolatilityAgent: TradingAgent {
    let info = PB.AgentInfo(
        name: "volatility", kind: "risk", description: "ATR against price (holds when too volatile); Bollinger band extremes",
        defaultWeight: 0.15)
    var parameters: [String: Double] { ["bb_period": 20, "bb_stddev": 2, "atr_period": 14, "max_atr_pct": 0.05] }

    func indicators(_ p: StrategyParameters) -> [String] {
        let width = formatParameter(p["bb_stddev"])
        return ["bbands:\(p.period("bb_period")),\(width),\(width)", "atr:\(p.period("atr_period"))"]
    }

    func opinion(_ f: MarketFeatures, _ p: StrategyParameters) -> Opinion {
        let specs = indicators(p)
        guard let atr = f.value(specs[1]), let upper = f.value(specs[0], output: "upper"), let lower = f.value(specs[0], output: "lower"),
            f.close > 0
        else { return .hold("ATR and bands still warming up") }
        let atrShare = atr / f.close
        if atrShare > p["max_atr_pct"] {
            return .hold("ATR is \((atrShare * 100).formatted4)% of price, above \((p["max_atr_pct"] * 100).formatted4)%: too volatile", confidence: 1)
        }
        if f.close < lower { return Opinion(action: .buy, confidence: 0.6, reasoning: "close below the lower Bollinger band") }
        if f.close > upper { return Opinion(action: .sell, confidence: 0.6, reasoning: "close above the upper Bollinger band") }
        return .hold("inside the Bollinger bands, ATR \((atrShare * 100).formatted4)% of price", confidence: 0.5)
    }
}
