import TradingCore

/// A document's execution assumptions as exact amounts, priced by execution's paper rule
/// (`FillPricing`): the backtest's fills and a live bot's sizing estimate use the same numbers.
public struct FillAssumptions: Sendable, Hashable {
    /// The fee as a fraction of notional (10 bps: 0.001).
    public let feeRate: FixedDecimal
    /// Slippage as a fraction of the price.
    public let slippageRate: FixedDecimal
    /// Slippage in price units (`slippage_ticks` × the tick).
    public let slippage: FixedDecimal
    /// Fills are rounded to it against the trader; zero when the document declares no tick.
    public let tick: FixedDecimal

    init(_ e: StrategyDocument.ExecutionAssumptions) {
        func fixed(_ v: Double) -> FixedDecimal { (try? FixedDecimal(approximating: v)) ?? .zero }
        feeRate = (try? FillPricing.rate(bps: e.feeBps)) ?? .zero
        slippageRate = (try? FillPricing.rate(bps: e.slippageBps)) ?? .zero
        slippage = (try? fixed(e.slippageTicks) * fixed(e.tickSize ?? 0.01)) ?? .zero
        tick = e.tickSize.map(fixed) ?? .zero
    }

    /// The fill a `side` order gets at the reference price `raw`.
    public func price(_ raw: Double, _ side: Side) throws(StrategyError) -> FixedDecimal {
        try arithmetic { () throws(ArithmeticError) in
            try FillPricing.price(try FixedDecimal(approximating: raw), side, slippageRate: slippageRate, slippage: slippage, tick: tick)
        }
    }
}
