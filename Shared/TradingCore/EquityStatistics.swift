/// Statistics of an equity curve, as backtests and portfolio metrics report them.
public enum EquityStatistics {
    /// The largest fall from a running peak, as a fraction of that peak (0 for a curve that never falls).
    public static func maxDrawdown(_ equities: some Sequence<Double>) -> Double {
        var peak = -Double.infinity, worst = 0.0
        for e in equities {
            peak = max(peak, e)
            if peak > 0 { worst = max(worst, (peak - e) / peak) }
        }
        return worst
    }

    /// Mean over sample standard deviation of period-to-period returns, annualized by
    /// √`periodsPerYear`; 0 for fewer than three points or a flat curve.
    public static func sharpe(_ equities: [Double], periodsPerYear: Double) -> Double {
        guard equities.count > 2 else { return 0 }
        var returns: [Double] = []
        returns.reserveCapacity(equities.count - 1)
        for i in 1..<equities.count where equities[i - 1] > 0 { returns.append(equities[i] / equities[i - 1] - 1) }
        guard returns.count > 1 else { return 0 }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        return variance > 0 ? mean / variance.squareRoot() * periodsPerYear.squareRoot() : 0
    }
}
