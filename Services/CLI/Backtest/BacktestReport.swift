import Foundation
import Strategies
import TradingCore

/// How the CLI prints a backtest: one JSON object of metrics, and the trades and equity as CSV.
enum BacktestReport {
    static let tradesHeader = "entry_time,entry_bar,entry_price,exit_time,exit_bar,exit_price,side,quantity,pnl,fees,exit_reason"

    /// One line per closed trade, then the open one (exit fields empty).
    static func tradesCSV(_ r: BacktestResult, series: BarSeries) -> String {
        var lines = [tradesHeader]
        for t in r.trades + (r.openTrade.map { [$0] } ?? []) {
            lines.append(
                [
                    isoTime(t.entryTimeNs), "\(t.entryBar)", t.entryPrice.description, t.exitTimeNs.map(isoTime) ?? "", t.exitBar.map { "\($0)" } ?? "",
                    t.exitPrice?.description ?? "", t.side == .buy ? "long" : "short", t.quantity.description, t.pnl.description, t.fees.description,
                    t.exitReason?.rawValue ?? "open",
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func equityCSV(_ r: BacktestResult, series: BarSeries) -> String {
        var out = "time,bar,equity\n"
        out.reserveCapacity(r.equity.count * 40)
        for (i, e) in r.equity.enumerated() { out += "\(isoTime(series.timesNs[i])),\(i),\(String(format: "%.2f", e))\n" }
        return out
    }

    /// `2024-01-02T09:30:00Z` (with milliseconds when there are any).
    static func isoTime(_ ns: Int64) -> String {
        let seconds = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
        var s = seconds.quotient, frac = seconds.remainder
        if frac < 0 {
            s -= 1
            frac += 1_000_000_000
        }
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rem = s - days * 86_400
        let (y, m, d) = CivilDate.civil(fromDays: Int(days))
        let time = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60))
        return frac == 0 ? time + "Z" : time + String(format: ".%03dZ", Int(frac / 1_000_000))
    }
}
