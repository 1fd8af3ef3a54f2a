/// How a simulated fill is priced and charged, in one place for execution's paper broker and the
/// backtester: the reference price moved against the trader by a slippage rate and a number of
/// ticks, rounded to the tick against the trader; the fee a rate of the notional.
public enum FillPricing {
    /// `reference` for a `side` fill: plus (buy) or minus (sell) `reference × slippageRate +
    /// slippage`, then rounded up (buy) or down (sell) to a multiple of `tick` when `tick` is
    /// positive. Never below the smallest positive amount.
    public static func price(
        _ reference: FixedDecimal, _ side: Side, slippageRate: FixedDecimal, slippage: FixedDecimal = .zero, tick: FixedDecimal = .zero
    ) throws(ArithmeticError) -> FixedDecimal {
        let slip = try (try reference * slippageRate) + slippage
        var price = side == .buy ? try reference + slip : try reference - slip
        if tick.raw > 0 { price = try price.rounded(toMultipleOf: tick, rule: side == .buy ? .up : .down) }
        return price.raw > 0 ? price : FixedDecimal(raw: 1)
    }

    /// The fee of `quantity` at `price`: `rate` of the notional (each product rounded half to even).
    public static func fee(_ quantity: FixedDecimal, at price: FixedDecimal, rate: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        try (try quantity * price) * rate
    }

    /// `bps` basis points as an exact rate (10 → 0.001).
    public static func rate(bps: Double) throws(ArithmeticError) -> FixedDecimal {
        try (try FixedDecimal(approximating: bps)) / FixedDecimal(raw: 10_000 * FixedDecimal.unitsPerOne)
    }
}
