import Contract
import Indicators
import Strategies
import TradingCore
import Wire

/// Backtests over market-data's candles with the one backtester (`Strategies.Backtester`, the
/// live bots' plan and sizing, exact money), and the result as the wire carries it.
enum StrategyBacktest {

    /// The closed candles as a bar series (market-data's candles are sorted and unique).
    static func series(_ candles: [PB.Candle]) throws(OrchestratorError) -> BarSeries {
        let closed = candles.filter(\.closed)
        return try Strategy.checked { () throws(StrategyError) in
            try BarSeries(timesNs: closed.map(\.openTimeNs), prices: PriceSeries(bars: closed.map(PriceBar.init)))
        }
    }

    /// `r` on the wire: metrics (every one in `metrics_json`), trades, the open trade and the
    /// equity of every bar, or of at most `curvePoints` of them.
    static func wire(
        _ r: BacktestResult, _ strategy: Strategy, _ series: BarSeries, request: PB.BacktestRequest, id: String, now: Int64, curvePoints: Int? = 2_000
    ) -> PB.BacktestResult {
        let m = r.metrics
        let curve = downsample(r.equity.indices.map { point($0, r, series) }, to: curvePoints ?? r.equity.count)
        return PB.BacktestResult(
            id: id, request: request, finalEquity: r.finalEquity.wire, totalReturn: m.totalReturnPct / 100, sharpe: m.sharpe,
            maxDrawdown: -m.maxDrawdownPct / 100, winRate: m.winRatePct / 100, tradeCount: UInt32(r.trades.count), trades: r.trades.map(trade),
            equityCurve: curve, createdAtNs: now, metricsJson: r.summaryJSON(plan: strategy.plan), openTrade: r.openTrade.map(trade))
    }

    /// At most `points` of `curve`, evenly spaced, the first and last kept.
    static func downsample(_ curve: [PB.EquityPoint], to points: Int) -> [PB.EquityPoint] {
        guard curve.count > points, points >= 2 else { return curve }
        var out: [PB.EquityPoint] = []
        out.reserveCapacity(points)
        for k in 0..<points { out.append(curve[k * (curve.count - 1) / (points - 1)]) }
        return out
    }

    private static func point(_ i: Int, _ r: BacktestResult, _ series: BarSeries) -> PB.EquityPoint {
        PB.EquityPoint(tsNs: series.timesNs[i], equity: ((try? FixedDecimal(approximating: r.equity[i])) ?? .zero).wire)
    }

    static func trade(_ t: BacktestTrade) -> PB.BacktestTrade {
        PB.BacktestTrade(
            side: t.side.wire, entryNs: t.entryTimeNs, exitNs: t.exitTimeNs ?? 0, entryPrice: t.entryPrice.wire, exitPrice: t.exitPrice?.wire,
            quantity: t.quantity.wire, pnl: t.pnl.wire, fees: t.fees.wire, exitReason: t.exitReason?.rawValue ?? "")
    }
}

extension PriceBar {
    /// A candle's prices.
    init(_ candle: PB.Candle) { self.init(open: candle.open, high: candle.high, low: candle.low, close: candle.close, volume: candle.volume) }
}

extension TradingCalendar {
    /// The calendar an instrument of `assetClass` trades on (stocks' for stocks, ETFs and indices).
    init(_ assetClass: PB.AssetClass) {
        switch assetClass {
        case .crypto: self = .crypto
        case .fx, .commodity: self = .fx
        default: self = .stocks
        }
    }
}
