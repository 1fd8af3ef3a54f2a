import Contract
import Wire

/// Reads MACD's histogram: positive momentum is a buy, negative a sell, surer the larger it is
/// against the price.
struct MomentumAgent: TradingAgent {
    let info = PB.AgentInfo(name: "momentum", kind: "chart", description: "MACD histogram sign and size", defaultWeight: 0.2)
    var parameters: [String: Double] { ["fast_period": 12, "slow_period": 26, "signal_period": 9] }

    func indicators(_ p: StrategyParameters) -> [String] {
        ["macd:\(p.period("fast_period")),\(p.period("slow_period")),\(p.period("signal_period"))"]
    }

    func opinion(_ f: MarketFeatures, _ p: StrategyParameters) -> Opinion {
        guard let hist = f.value(indicators(p)[0], output: "hist"), f.close > 0 else { return .hold("MACD still warming up") }
        guard hist != 0 else { return .hold("MACD histogram flat") }
        // A histogram of 0.2 % of the price is full conviction.
        let confidence = min(1, abs(hist) / (f.close * 0.002))
        return Opinion(action: hist > 0 ? .buy : .sell, confidence: confidence, reasoning: "MACD histogram \(hist > 0 ? "positive" : "negative") (\(hist.formatted4))")
    }
}

extension Double {
    /// Four significant decimals, for reasoning text.
    var formatted4: String { String((self * 10_000).rounded() / 10_000) }
}
