/// The sizing formulas, in one place for the risk service's models and the backtester: each gives
/// a quantity before lot rounding, caps and limits (which the caller applies).
public enum PositionSizing {
    /// Risks `fraction` of `equity`: over `stopDistance` when one is given (lose that much if the
    /// stop is hit), else as the position's notional at `price`.
    public static func fixedFraction(equity: Double, fraction: Double, stopDistance: Double, price: Double) -> Double {
        let budget = equity * fraction
        return stopDistance > 0 ? budget / stopDistance : budget / price
    }

    /// The Kelly criterion f* = w − (1 − w) / R for win rate `winRate` and payoff ratio `payoff`,
    /// scaled by `scale` (0.5: half Kelly) and capped at all of equity, as a share of `equity` at
    /// `price`. Returns the fraction too; ≤ 0 means the edge is negative and the quantity is 0.
    public static func kelly(equity: Double, winRate: Double, payoff: Double, scale: Double, price: Double) -> (quantity: Double, kelly: Double) {
        let kelly = winRate - (1 - winRate) / payoff
        guard kelly > 0 else { return (0, kelly) }
        return (equity * Swift.min(1, kelly * scale) / price, kelly)
    }

    /// Risks `fraction` of `equity` over a stop `multiple` ATRs away.
    public static func atr(equity: Double, fraction: Double, atr: Double, multiple: Double) -> Double {
        atr > 0 && multiple > 0 ? equity * fraction / (atr * multiple) : 0
    }
}
