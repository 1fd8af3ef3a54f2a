import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// The SMA(10)/SMA(20) template against `Fixtures/` (a copy of `../shared/fixtures/backtest`: backtesting.py, backtrader
/// and nautilus_trader reproduce it): every trade and the final equity to the cent.
@Suite struct GOOGReferenceTests {
    @Test("the SMA-cross template reproduces the GOOG reference trade by trade and to the cent")
    func reproducesReference() throws {
        let series = try Fixtures.goog()
        let reference = try Fixtures.googReference()
        let document = try StrategyDocument(json: StrategyTemplates.json(named: "sma_cross")!)
        let plan = try StrategyCompiler.compile(document, parameters: ["fast": 10, "slow": 20])
        let result = try Backtester(plan: plan).run(series)
        let expected = reference["trades"] as! [[String: Any]]
        #expect(result.trades.count == expected.count)
        for (trade, want) in zip(result.trades, expected) {
            #expect(trade.entryBar == want["entry_bar"] as! Int)
            #expect(trade.exitBar == want["exit_bar"] as? Int)
            #expect(trade.quantity == (try FixedDecimal(want["units"] as! Int)))
            #expect(abs(trade.entryPrice.doubleValue - (want["entry_price"] as! Double)) < 1e-9)
            #expect(abs(trade.exitPrice!.doubleValue - (want["exit_price"] as! Double)) < 1e-9)
            #expect(abs(trade.pnl.doubleValue - (want["pnl"] as! Double)) < 1e-6)
        }
        let stats = reference["stats"] as! [String: Any]
        let open = stats["open_trade"] as! [String: Any]
        #expect(result.openTrade?.entryBar == open["entry_bar"] as? Int)
        #expect(result.openTrade?.quantity == (try FixedDecimal(open["units"] as! Int)))
        #expect(result.finalEquity == (try FixedDecimal(parsing: "726923.96")))
        #expect(abs(result.metrics.maxDrawdownPct - (stats["max_drawdown_pct"] as! Double)) < 1e-9)
        #expect(abs(result.metrics.sharpe - (stats["sharpe_annualized"] as! Double)) < 1e-9)
        #expect(abs(result.metrics.winRatePct - (stats["win_rate_pct"] as! Double)) < 1e-9)
        #expect(result.metrics.trades == 46)
        #expect(result.metrics.openTrade)
    }
}

enum Fixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").standardized
    }

    /// GOOG daily bars: dates at midnight UTC.
    static func goog() throws -> BarSeries {
        let text = try String(contentsOf: directory.appendingPathComponent("GOOG.csv"), encoding: .utf8)
        var times: [Int64] = [], bars: [PriceBar] = []
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        for line in text.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            let date = formatter.date(from: cells[0])!
            times.append(Int64(date.timeIntervalSince1970) * 1_000_000_000)
            bars.append(PriceBar(open: Double(cells[1])!, high: Double(cells[2])!, low: Double(cells[3])!, close: Double(cells[4])!, volume: Double(cells[5])!))
        }
        return try BarSeries(timesNs: times, prices: PriceSeries(bars: bars))
    }

    static func googReference() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("goog_sma_10_20_reference.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
