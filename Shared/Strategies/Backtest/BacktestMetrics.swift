import Foundation

/// A backtest's figures, as a trader reads them. Percentages are percents (12.5 is 12.5 %);
/// drawdowns are negative. Returns are per bar (equity over the previous bar's), annualised with
/// the instrument's calendar (`TradingCalendar`); the risk-free rate is 0.
public struct BacktestMetrics: Sendable, Hashable, Codable {
    public var finalEquity: Double
    public var totalReturnPct: Double
    /// Compound annual growth over the bars' span in calendar years of trading (bars / bars a year).
    public var cagrPct: Double
    public var volatilityPct: Double
    public var sharpe: Double
    public var sortino: Double
    /// CAGR over the maximum drawdown's depth.
    public var calmar: Double
    public var maxDrawdownPct: Double
    /// The longest stretch from a peak until equity was back above it (or the end), in bars.
    public var maxDrawdownBars: Int
    /// Closed trades.
    public var trades: Int
    public var openTrade: Bool
    public var winRatePct: Double
    /// Gross profit over gross loss (infinite with no losing trade, 0 with no winning one).
    public var profitFactor: Double
    /// Mean P&L of a closed trade.
    public var expectancy: Double
    public var averageWin: Double
    public var averageLoss: Double
    /// Share of bars at whose close a position was open.
    public var exposurePct: Double
    /// Holding the instrument from the first close to the last, over the same bars.
    public var buyHoldReturnPct: Double
    public var bars: Int
    public var periodsPerYear: Double

    init(
        equity: ArraySlice<Double>, trades: [BacktestTrade], initialCash: Double, finalEquity: Double, barsInMarket: Int, firstClose: Double,
        lastClose: Double, periodsPerYear: Double, openTrade: Bool
    ) {
        // Read in place (a million-bar curve is not copied), re-based to index 0.
        let equity = Rebased(slice: equity)
        self.finalEquity = finalEquity
        bars = equity.count
        self.periodsPerYear = periodsPerYear
        self.openTrade = openTrade
        totalReturnPct = (finalEquity / initialCash - 1) * 100
        let years = Double(equity.count) / periodsPerYear
        cagrPct = years > 0 && finalEquity > 0 ? (pow(finalEquity / initialCash, 1 / years) - 1) * 100 : -100
        // One pass: bar returns (mean and squared deviations by Welford's update), downside
        // squares, and the running peak for the drawdown (a division only below a new low).
        var count = 0.0, mean = 0.0, squares = 0.0, downside = 0.0
        var peak = -Double.infinity, worst = 0.0, peakBar = 0, longest = 0
        for i in 0..<equity.count {
            let e = equity[i]
            if i > 0 {
                let previous = equity[i - 1]
                let r = previous > 0 ? e / previous - 1 : 0
                count += 1
                let delta = r - mean
                mean += delta / count
                squares += delta * (r - mean)
                if r < 0 { downside += r * r }
            }
            if e >= peak {
                peak = e
                peakBar = i
            } else {
                longest = max(longest, i - peakBar)
                if peak > 0, e < peak * (1 + worst) { worst = e / peak - 1 }
            }
        }
        let n = count
        let variance = n > 1 ? squares / (n - 1) : 0
        let sd = variance.squareRoot()
        let annual = periodsPerYear.squareRoot()
        volatilityPct = sd * annual * 100
        sharpe = sd > 0 ? mean / sd * annual : 0
        let downsideDeviation = n > 0 ? (downside / n).squareRoot() : 0
        sortino = downsideDeviation > 0 ? mean / downsideDeviation * annual : 0
        maxDrawdownPct = worst * 100
        maxDrawdownBars = longest
        calmar = worst < 0 ? cagrPct / -maxDrawdownPct : 0
        self.trades = trades.count
        let pnls = trades.map(\.pnl.doubleValue)
        let winners = pnls.filter { $0 > 0 }, losers = pnls.filter { $0 < 0 }
        winRatePct = trades.isEmpty ? 0 : Double(winners.count) / Double(trades.count) * 100
        let grossWin = winners.reduce(0, +), grossLoss = -losers.reduce(0, +)
        profitFactor = grossLoss > 0 ? grossWin / grossLoss : (grossWin > 0 ? .infinity : 0)
        expectancy = trades.isEmpty ? 0 : pnls.reduce(0, +) / Double(trades.count)
        averageWin = winners.isEmpty ? 0 : grossWin / Double(winners.count)
        averageLoss = losers.isEmpty ? 0 : -grossLoss / Double(losers.count)
        exposurePct = equity.count == 0 ? 0 : Double(barsInMarket) / Double(equity.count) * 100
        buyHoldReturnPct = firstClose > 0 ? (lastClose / firstClose - 1) * 100 : 0
    }
}

/// A slice read with indices from 0.
private struct Rebased {
    let slice: ArraySlice<Double>
    var count: Int { slice.count }
    subscript(_ i: Int) -> Double { slice[slice.startIndex + i] }
}
