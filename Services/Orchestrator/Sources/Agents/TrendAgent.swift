import Contract
import Wire

/// Follows the trend: the fast EMA above the slow one is a buy, below a sell; surer the wider the
/// spread, and less sure when the close sits on the wrong side of the slow SMA.
struct TrendAgent: TradingAgent {
    let info = PB.AgentInfo(
        name: "trend", kind: "trend", description: "EMA crossover (fast vs slow), confirmed by the close against the slow SMA",
        defaultWeight: 0.35)
    var parameters: [String: Double] { ["fast_period": 12, "slow_period": 26, "trend_saturation": 0.01] }

    func indicators(_ p: StrategyParameters) -> [String] {
        ["ema:\(p.period("fast_period"))", "ema:\(p.period("slow_period"))", "sma:\(p.period("slow_period"))"]
    }

    func opinion(_ f: MarketFeatures, _ p: StrategyParameters) -> Opinion {
        let specs = indicators(p)
        guard let fast = f.value(specs[0]), let slow = f.value(specs[1]), slow > 0 else { return .hold("EMAs still warming up") }
        let spread = (fast - slow) / slow
        guard spread != 0 else { return .hold("fast and slow EMA equal") }
        var confidence = min(1, abs(spread) / p["trend_saturation"])
        var note = ""
        if let sma = f.value(specs[2]), (spread > 0) != (f.close > sma) {
            confidence *= 0.5
            note = "; close \(spread > 0 ? "below" : "above") SMA\(p.period("slow_period")) halves it"
        }
        let pct = (spread * 10_000).rounded() / 100
        return Opinion(
            action: spread > 0 ? .buy : .sell, confidence: confidence,
            reasoning: "EMA\(p.period("fast_period")) \(spread > 0 ? "above" : "below") EMA\(p.period("slow_period")) by \(pct)%\(note)")
    }
}
