import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// The language's stateful and Pine-facing parts: `previous`, `if/then/else`, math functions,
/// rolling sums, levels re-read every bar (with a side), point distances and the intrabar path.
@Suite struct StatefulLanguageTests {
    static func series(_ bars: [PriceBar]) throws -> BarSeries {
        try BarSeries(timesNs: bars.indices.map { Int64($0) * 86_400_000_000_000 }, prices: PriceSeries(bars: bars))
    }

    static func flat(_ count: Int, at price: Double = 100) -> [PriceBar] {
        Array(repeating: PriceBar(open: price, high: price, low: price, close: price, volume: 1000), count: count)
    }

    static func run(_ json: String, _ bars: [PriceBar]) throws -> BacktestResult {
        let plan = try StrategyCompiler.compile(try StrategyDocument(json: json))
        return try Backtester(plan: plan, settings: BacktestSettings(recordDecisions: true)).run(try series(bars))
    }

    @Test("previous carries a value from bar to bar, starting from its initial value")
    func counter() throws {
        let result = try Self.run(
            #"""
            {"version": 1, "signals": {"count": {"left": {"previous": "count", "initial": 0}, "op": "+", "right": 1}},
             "rules": {"entry_long": {"left": "count", "op": "==", "right": 5}, "exit_long": {"left": "count", "op": "==", "right": 8}},
             "sizing": {"model": "fixed_quantity", "quantity": 1}}
            """#, Self.flat(20))
        #expect(result.decisions.map(\.bar) == [4, 7])
    }

    @Test("a condition not yet known takes the else branch")
    func choiceOnUnknown() throws {
        let result = try Self.run(
            #"""
            {"version": 1, "signals": {"s": {"if": {"left": {"indicator": "sma", "period": 10}, "op": ">", "right": 0}, "then": 1, "else": 2}},
             "rules": {"entry_long": {"left": "s", "op": "==", "right": 2}, "exit_long": {"left": "s", "op": "==", "right": 1}},
             "sizing": {"model": "fixed_quantity", "quantity": 1}}
            """#, Self.flat(20))
        #expect(result.decisions.map(\.bar) == [0, 9])
    }

    @Test("math functions, modulo, na, rolling sums and bar_index compute what they say")
    func math() throws {
        let checks = [
            #"{"left": {"sqrt": 16}, "op": "==", "right": 4}"#, #"{"left": {"round": {"log": {"exp": 2}}}, "op": "==", "right": 2}"#,
            #"{"left": {"floor": 2.7}, "op": "==", "right": 2}"#, #"{"left": {"ceil": 2.1}, "op": "==", "right": 3}"#,
            #"{"left": {"sign": -3}, "op": "==", "right": -1}"#, #"{"left": {"pow": [2, 10]}, "op": "==", "right": 1024}"#,
            #"{"left": {"left": 7, "op": "%", "right": 3}, "op": "==", "right": 1}"#, #"{"left": {"round": -2.5}, "op": "==", "right": -2}"#,
            #"{"na": "na"}"#, #"{"left": {"sum": "bar_index", "bars": 3}, "op": "==", "right": {"left": {"left": 3, "op": "*", "right": "bar_index"}, "op": "-", "right": 3}}"#,
            #"{"left": {"sqrt": -1}, "op": "!=", "right": 0}"#,
        ]
        let all = checks.dropLast().joined(separator: ", ")
        let result = try Self.run(
            #"{"version": 1, "rules": {"entry_long": {"and": [\#(all)]}}, "sizing": {"model": "fixed_quantity", "quantity": 1}}"#, Self.flat(10))
        #expect(result.decisions.first?.bar == 2, "every check holds once three bars are summed")
        // sqrt(-1) is not known, so a comparison with it never holds.
        let never = try Self.run(#"{"version": 1, "rules": {"entry_long": \#(checks.last!)}}"#, Self.flat(10))
        #expect(never.decisions.isEmpty)
    }

    @Test("time and its calendar fields are the bar's open in UTC")
    func calendar() throws {
        // 2024-02-29T13:45:00Z, a Thursday, and 1969-12-31T23:59:00Z, a Wednesday.
        let leap: Int64 = 1_709_214_300_000, before: Int64 = -60_000
        let document = try StrategyDocument(json: #"""
            {"version": 1, "rules": {"entry_long": {"or": [
              {"and": [{"left": "time", "op": "==", "right": 1709214300000}, {"left": {"time": "year"}, "op": "==", "right": 2024}, {"left": {"time": "month"}, "op": "==", "right": 2},
                       {"left": {"time": "dayofmonth"}, "op": "==", "right": 29}, {"left": {"time": "dayofweek"}, "op": "==", "right": 5},
                       {"left": {"time": "hour"}, "op": "==", "right": 13}, {"left": {"time": "minute"}, "op": "==", "right": 45}]},
              {"and": [{"left": {"time": "year"}, "op": "==", "right": 1969}, {"left": {"time": "month"}, "op": "==", "right": 12}, {"left": {"time": "dayofmonth"}, "op": "==", "right": 31},
                       {"left": {"time": "dayofweek"}, "op": "==", "right": 4}, {"left": {"time": "hour"}, "op": "==", "right": 23}, {"left": {"time": "minute"}, "op": "==", "right": 59}]}]},
              "exit_long": {"left": "time", "op": "==", "right": 0}},
             "sizing": {"model": "fixed_quantity", "quantity": 1}}
            """#)
        let times = [before, 0, leap - 60_000, leap, leap + 86_400_000].map { $0 * 1_000_000 }
        let series = try BarSeries(timesNs: times, prices: PriceSeries(bars: Self.flat(times.count)))
        let result = try Backtester(plan: try StrategyCompiler.compile(document), settings: BacktestSettings(recordDecisions: true)).run(series)
        #expect(result.decisions.map(\.bar) == [0, 1, 3])
    }

    /// A long entered at bar 1's close (100), then `bars` after it.
    static func longThen(_ bars: [PriceBar], exits: String, execution: String = "{}") throws -> BacktestResult {
        try run(
            #"""
            {"version": 1, "signals": {"stop": {"left": "close", "op": "-", "right": 1}},
             "rules": {"entry_long": {"left": "bar_index", "op": "==", "right": 1}}, "exits": \#(exits),
             "sizing": {"model": "fixed_quantity", "quantity": 1}, "execution": \#(execution)}
            """#, flat(2) + bars + flat(3))
    }

    @Test("a level is re-read at every close and protects only the side it names")
    func movingLevel() throws {
        let rising = [100.0, 102, 104].map { PriceBar(open: $0, high: $0, low: $0, close: $0, volume: 1000) }
        let drop = PriceBar(open: 104, high: 104, low: 90, close: 95, volume: 1000)
        let result = try Self.longThen(rising + [drop], exits: #"{"stop_loss": {"level": "stop"}}"#)
        // The stop followed the closes up: 103 when the drop came.
        #expect(result.trades.count == 1)
        #expect(result.trades.first?.exitBar == 5)
        #expect(result.trades.first?.exitPrice == FixedDecimal(raw: 103 * FixedDecimal.unitsPerOne))
        #expect(result.trades.first?.exitReason == .stopLoss)
        let shortOnly = try Self.longThen(rising + [drop], exits: #"{"stop_loss": {"level": "stop", "side": "short"}}"#)
        #expect(shortOnly.trades.isEmpty, "a short-side level does not stop a long")
    }

    @Test("a trailing stop with an activation distance starts only once the best price has gone that far")
    func trailingActivation() throws {
        let bars = [
            PriceBar(open: 100, high: 104, low: 100, close: 103, volume: 1000), PriceBar(open: 103, high: 103, low: 100.5, close: 101, volume: 1000),
            PriceBar(open: 101, high: 106, low: 101, close: 105, volume: 1000), PriceBar(open: 105, high: 105, low: 102, close: 104, volume: 1000),
        ]
        let immediate = try Self.longThen(bars, exits: #"{"trailing_stop": {"points": 3}}"#).trades.first
        #expect(immediate?.exitBar == 3 && immediate?.exitPrice == FixedDecimal(raw: 101 * FixedDecimal.unitsPerOne))
        let activated = try Self.longThen(bars, exits: #"{"trailing_stop": {"points": 3, "activation": 5}}"#).trades.first
        #expect(activated?.exitBar == 5 && activated?.exitPrice == FixedDecimal(raw: 103 * FixedDecimal.unitsPerOne))
        #expect(activated?.exitReason == .trailingStop)
    }

    @Test("fixed_cash buys the amount's worth")
    func fixedCash() throws {
        let result = try Self.run(
            #"{"version": 1, "rules": {"entry_long": {"left": "bar_index", "op": "==", "right": 1}}, "sizing": {"model": "fixed_cash", "amount": 2500}}"#, Self.flat(4, at: 40))
        #expect(result.openTrade?.quantity == FixedDecimal(raw: 62 * FixedDecimal.unitsPerOne + FixedDecimal.unitsPerOne / 2))
    }

    @Test("a bar reaching stop and target: stop_first is stopped; nearest_first takes the nearer extreme first")
    func intrabarPath() throws {
        let exits = #"{"stop_loss": {"points": 5}, "take_profit": {"points": 5}}"#
        let highNearer = PriceBar(open: 100, high: 106, low: 93, close: 100, volume: 1000)
        let lowNearer = PriceBar(open: 100, high: 107, low: 94, close: 100, volume: 1000)
        func reason(_ bar: PriceBar, _ path: String) throws -> ExitReason? {
            try Self.longThen([bar], exits: exits, execution: #"{"intrabar": "\#(path)"}"#).trades.first?.exitReason
        }
        #expect(try reason(highNearer, "stop_first") == .stopLoss)
        #expect(try reason(highNearer, "nearest_first") == .takeProfit)
        #expect(try reason(lowNearer, "nearest_first") == .stopLoss)
    }

    @Test("previous of a signal of the other kind, and a cycle not through previous, are refused")
    func refusals() throws {
        #expect(throws: StrategyError.self) {
            try StrategyCompiler.compile(try StrategyDocument(json: #"{"version": 1, "signals": {"c": {"left": "close", "op": ">", "right": {"previous": "c", "initial": 0}}}, "rules": {"entry_long": "c"}}"#))
        }
        let cycle = #expect(throws: StrategyError.self) {
            try StrategyCompiler.compile(try StrategyDocument(json: #"{"version": 1, "signals": {"a": {"left": "b", "op": ">", "right": 1}, "b": {"if": "a", "then": 1, "else": 2}}, "rules": {"entry_long": "a"}}"#))
        }
        #expect(cycle?.code == .cycle)
    }
}
