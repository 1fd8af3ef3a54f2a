import Contract
import Indicators
import Strategies
import TradingCore
import Wire

/// Backtests over market-data's candles with the one backtester (`Strategies.Backtester`, the
/// live bots' plan and sizing, exact money), and the result as the wire carries it.
enum StrategyBacktest {
    /// Most points kept in a result's equity curve (metrics use every bar).
    static let curvePoints = 2_000

    /// The closed candles as a bar series (market-data's candles are sorted and unique).
    static func series(_ candles: [PB.Candle]) throws(OrchestratorError) -> BarSeries {
        let closed = candles.filter(\.closed)
        return try Strategy.checked { () throws(StrategyError) in
            try BarSeries(timesNs: closed.map(\.openTimeNs), prices: PriceSeries(bars: closed.map(PriceBar.init)))
        }
    }

    /// Runs `strategy` over `series` with `cash`, annualised by `calendar`.
    static func run(_ strategy: Strategy, _ series: BarSeries, cash: FixedDecimal, calendar: TradingCalendar) throws(OrchestratorError) -> BacktestResult {
        let settings = BacktestSettings(initialCash: cash, calendar: calendar)
        return try Strategy.checked { () throws(StrategyError) in try Backtester(plan: strategy.plan, settings: settings).run(series) }
    }

    /// `r` on the wire: metrics (every one in `metrics_json`), trades, the open trade and the
    /// equity curve downsampled to `curvePoints` (the last bar always kept).
    static func wire(_ r: BacktestResult, _ strategy: Strategy, _ series: BarSeries, request: PB.BacktestRequest, id: String, now: Int64) -> PB.BacktestResult {
        let m = r.metrics
        var curve: [PB.EquityPoint] = []
        let stride = max(1, (r.equity.count + curvePoints - 1) / curvePoints)
        for i in Swift.stride(from: 0, to: r.equity.count, by: stride) { curve.append(point(i, r, series)) }
        if let last = r.equity.indices.last, curve.last?.tsNs != series.timesNs[last] { curve.append(point(last, r, series)) }
        return PB.BacktestResult(
            id: id, request: request, finalEquity: r.finalEquity.wire, totalReturn: m.totalReturnPct / 100, sharpe: m.sharpe,
            maxDrawdown: -m.maxDrawdownPct / 100, winRate: m.winRatePct / 100, tradeCount: UInt32(r.trades.count), trades: r.trades.map(trade),
            equityCurve: curve, createdAtNs: now, metricsJson: r.summaryJSON(plan: strategy.plan), openTrade: r.openTrade.map(trade))
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
