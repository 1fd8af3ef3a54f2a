import Indicators
import Strategies
import Testing
import TradingCore

/// Fills, exits and costs on small hand-made series, where the right answer is known.
@Suite struct FillSemanticsTests {
    /// Bars from (open, high, low, close), one a day.
    static func series(_ bars: [(Double, Double, Double, Double)]) throws -> BarSeries {
        try BarSeries(
            timesNs: bars.indices.map { Int64($0) * 86_400_000_000_000 },
            prices: PriceSeries(bars: bars.map { PriceBar(open: $0.0, high: $0.1, low: $0.2, close: $0.3, volume: 1) }))
    }

    /// Enters long on bar 0's close (`close > 0`), with `exits` and `execution`.
    static func run(_ bars: [(Double, Double, Double, Double)], exits: String = "{}", execution: String = #"{"fill": "close"}"#,
                    sizing: String = #"{"model": "fixed_quantity", "quantity": 10}"#, rules: String? = nil) throws -> BacktestResult {
        let rules = rules ?? #"{"entry_long": [{"position": "flat"}]}"#
        let json = #"{"version": 1, "rules": \#(rules), "exits": \#(exits), "execution": \#(execution), "sizing": \#(sizing)}"#
        let plan = try StrategyCompiler.compile(try StrategyDocument(json: json))
        return try Backtester(plan: plan, settings: BacktestSettings(recordDecisions: true)).run(try series(bars))
    }

    static func d(_ text: String) -> FixedDecimal { try! FixedDecimal(parsing: text) }

    @Test("a stop loss fills at its level, or at the open when the bar gaps through it")
    func stopLoss() throws {
        let hit = try Self.run([(100, 100, 100, 100), (100, 101, 97, 99), (99, 99, 99, 99)], exits: #"{"stop_loss": {"percent": 2}}"#)
        #expect(hit.trades.first?.exitPrice == Self.d("98"))
        #expect(hit.trades.first?.exitReason == .stopLoss)
        #expect(hit.trades.first?.exitBar == 1)
        let gap = try Self.run([(100, 100, 100, 100), (95, 96, 94, 95), (95, 95, 95, 95)], exits: #"{"stop_loss": {"percent": 2}}"#)
        #expect(gap.trades.first?.exitPrice == Self.d("95"))
    }

    @Test("a bar that reaches both the stop and the target is taken as stopped")
    func bothTouched() throws {
        let r = try Self.run(
            [(100, 100, 100, 100), (100, 106, 97, 100), (100, 100, 100, 100)], exits: #"{"stop_loss": {"percent": 2}, "take_profit": {"percent": 5}}"#)
        #expect(r.trades.first?.exitReason == .stopLoss)
        #expect(r.trades.first?.exitPrice == Self.d("98"))
    }

    @Test("a take profit fills at its level")
    func takeProfit() throws {
        let r = try Self.run([(100, 100, 100, 100), (100, 106, 99, 104), (104, 104, 104, 104)], exits: #"{"take_profit": {"percent": 5}}"#)
        #expect(r.trades.first?.exitPrice == Self.d("105"))
        #expect(r.trades.first?.exitReason == .takeProfit)
        #expect(r.trades.first?.pnl == Self.d("50"))
    }

    @Test("a trailing stop follows the highest high since the entry")
    func trailingStop() throws {
        let r = try Self.run(
            [(100, 100, 100, 100), (100, 110, 100, 109), (109, 120, 108, 119), (119, 119, 107, 108), (108, 108, 108, 108)],
            exits: #"{"trailing_stop": {"percent": 10}}"#)
        #expect(r.trades.first?.exitBar == 3)
        #expect(r.trades.first?.exitPrice == Self.d("108"))
        #expect(r.trades.first?.exitReason == .trailingStop)
    }

    @Test("next_open fills at the following bar's open, and the last bar's signal is not taken")
    func nextOpen() throws {
        let r = try Self.run(
            [(100, 100, 100, 100), (101, 102, 100, 101), (102, 103, 101, 102)], execution: #"{"fill": "next_open"}"#,
            rules: #"{"entry_long": [{"position": "flat"}], "exit_long": [{"left": {"position": "bars_in_trade"}, "op": ">=", "right": 0}]}"#)
        // Entered at bar 1's open (decided at bar 0), exit decided at bar 1's close fills at bar 2's open.
        #expect(r.trades.count == 1)
        #expect(r.trades.first?.entryPrice == Self.d("101"))
        #expect(r.trades.first?.exitPrice == Self.d("102"))
        #expect(r.trades.first?.exitBar == 2)
        #expect(r.openTrade == nil)
    }

    @Test("fees in basis points of notional and slippage against the trader")
    func costs() throws {
        let r = try Self.run(
            [(100, 100, 100, 100), (110, 110, 110, 110), (110, 110, 110, 110)],
            execution: #"{"fill": "close", "fee_bps": 10, "slippage_bps": 100}"#,
            rules: #"{"entry_long": [{"position": "flat"}], "exit_long": [{"left": {"position": "bars_in_trade"}, "op": ">=", "right": 1}]}"#)
        let t = try #require(r.trades.first)
        #expect(t.entryPrice == Self.d("101"))
        #expect(t.exitPrice == Self.d("108.9"))
        // fees: 10 × 101 × 0.001 + 10 × 108.9 × 0.001 = 1.01 + 1.089
        #expect(t.fees == Self.d("2.099"))
        #expect(t.pnl == Self.d("76.901"))
        #expect(r.finalEquity == Self.d("100076.901"))
    }

    @Test("exit after n bars, and short trades book P&L the other way")
    func maxBarsAndShorts() throws {
        let r = try Self.run(
            [(100, 100, 100, 100), (99, 99, 99, 99), (98, 98, 98, 98), (97, 97, 97, 97), (97, 97, 97, 97)], exits: #"{"max_bars": 2}"#,
            rules: #"{"entry_short": [{"position": "flat"}]}"#)
        let t = try #require(r.trades.first)
        #expect(t.side == .sell)
        #expect(t.exitBar == 2)
        #expect(t.exitReason == .maxBars)
        #expect(t.pnl == Self.d("20"))
    }

    @Test("all-in buys whole units with the cash there is")
    func allIn() throws {
        let r = try Self.run([(300, 300, 300, 300), (300, 300, 300, 300)], sizing: #"{"model": "all_in"}"#)
        #expect(r.openTrade?.quantity == Self.d("333"))
        #expect(r.cash == Self.d("100"))
    }
}
