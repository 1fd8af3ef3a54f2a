import TradingCore

extension BacktestResult {
    /// Every metric as one JSON object, keys in a stable order: what `tradewind backtest` prints
    /// and the orchestrator stores with a result.
    public func summaryJSON(plan: StrategyPlan) -> String {
        let m = metrics
        var fields: [(String, String)] = [
            ("strategy", JSONText.quote(plan.document.name)),
            ("parameters", "{" + plan.parameters.keys.sorted().map { "\(JSONText.quote($0)):\(JSONText.number(plan.parameters[$0]!))" }.joined(separator: ",") + "}"),
            ("final_equity", JSONText.quote(finalEquity.description)),
        ]
        let numbers: [(String, Double)] = [
            ("total_return_pct", m.totalReturnPct), ("cagr_pct", m.cagrPct), ("volatility_pct", m.volatilityPct), ("sharpe", m.sharpe),
            ("sortino", m.sortino), ("calmar", m.calmar), ("max_drawdown_pct", m.maxDrawdownPct), ("max_drawdown_bars", Double(m.maxDrawdownBars)),
            ("win_rate_pct", m.winRatePct), ("profit_factor", m.profitFactor), ("expectancy", m.expectancy), ("average_win", m.averageWin),
            ("average_loss", m.averageLoss), ("trades", Double(m.trades)),
        ]
        fields += numbers.map { ($0.0, JSONText.number($0.1)) }
        fields.append(("open_trade", m.openTrade ? "true" : "false"))
        fields += [
            ("exposure_pct", JSONText.number(m.exposurePct)), ("buy_hold_return_pct", JSONText.number(m.buyHoldReturnPct)),
            ("bars", JSONText.number(Double(m.bars))), ("periods_per_year", JSONText.number(m.periodsPerYear)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

}

/// JSON text for numbers and strings, for summaries written by hand in a stable key order.
enum JSONText {
    static func quote(_ s: String) -> String { JSONValue.quote(s) }

    /// A finite number in its shortest exact form; infinities and NaN as null.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
