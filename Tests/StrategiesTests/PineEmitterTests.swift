import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// Documents shown as Pine read back by the Pine compiler: where Pine's definitions equal the
/// catalogue's (SMA, EMA, RSI, highest/lowest, percent stops), the script trades exactly like the
/// document; the rest compiles; what Pine cannot say is refused by name.
@Suite struct PineEmitterTests {
    static func trades(_ plan: StrategyPlan, _ series: BarSeries) throws -> [BacktestTrade] {
        try Backtester(plan: plan, settings: BacktestSettings(initialCash: try FixedDecimal(1_000_000))).run(series).trades
    }

    static let exact = [
        #"{"version":1,"name":"SMA cross","parameters":{"fast":{"int":[2,50],"default":10},"slow":{"int":[5,200],"default":30}},"signals":{"f":{"indicator":"sma","period":"$fast"},"s":{"indicator":"sma","period":"$slow"}},"rules":{"entry_long":[{"left":"f","op":"crosses_above","right":"s"}],"exit_long":[{"left":"f","op":"crosses_below","right":"s"}]},"sizing":{"model":"percent_equity","percent":50}}"#,
        #"{"version":1,"name":"RSI levels","rules":{"entry_long":[{"left":{"indicator":"rsi","period":14},"op":"<","right":30}],"exit_long":[{"left":{"indicator":"rsi","period":14},"op":">","right":60}]},"exits":{"stop_loss":{"percent":3},"take_profit":{"percent":6}},"sizing":{"model":"fixed_quantity","quantity":100}}"#,
        #"{"version":1,"name":"Breakout","rules":{"entry_long":[{"left":"close","op":">","right":{"ago":{"highest":"high","bars":20},"bars":1}}],"exit_long":[{"left":"close","op":"<","right":{"ago":{"lowest":"low","bars":10},"bars":1}}]},"sizing":{"model":"percent_equity","percent":20}}"#,
        #"{"version":1,"name":"EMA short","rules":{"entry_short":[{"left":{"indicator":"ema","period":9},"op":"crosses_below","right":{"indicator":"ema","period":21}}],"exit_short":[{"left":{"indicator":"ema","period":9},"op":"crosses_above","right":{"indicator":"ema","period":21}}]},"exits":{"stop_loss":{"percent":2}},"sizing":{"model":"percent_equity","percent":10}}"#,
    ]

    @Test(arguments: exact.indices)
    func readsBackAndTradesTheSame(_ index: Int) throws {
        let json = Self.exact[index]
        let pine = try PineEmitter.pine(try JSONValue(parsing: json))
        let compiled = try PineCompiler.compile(pine)
        let series = try DriverEquivalenceTests.randomWalk(count: 3_000, seed: UInt64(40 + index))
        let direct = try Self.trades(try StrategyCompiler.compile(try StrategyDocument(json: json)), series)
        let viaPine = try Self.trades(try StrategyCompiler.compile(compiled.document), series)
        #expect(direct.count > 3)
        // The same trades: bars, sides and reasons exactly; prices to the last unit (a stop level
        // computed in Pine's arithmetic may round the other way in the eighth decimal), and
        // quantities (sized from an equity that carries that unit) to a millionth.
        #expect(viaPine.count == direct.count, "\(pine)")
        for (a, b) in zip(viaPine, direct) {
            #expect(a.side == b.side && a.entryBar == b.entryBar && a.exitBar == b.exitBar && a.exitReason == b.exitReason, "\(a) vs \(b)")
            #expect(abs(a.entryPrice.doubleValue - b.entryPrice.doubleValue) <= 2e-8 && abs((a.exitPrice?.doubleValue ?? 0) - (b.exitPrice?.doubleValue ?? 0)) <= 2e-8)
            #expect(abs(a.quantity.doubleValue / b.quantity.doubleValue - 1) < 1e-6)
        }
    }

    @Test func everyTemplateWithoutAgentsCompilesAsPine() throws {
        var shown = 0
        for template in StrategyTemplates.all where !template.json.contains("consensus") {
            let pine = try PineEmitter.pine(try JSONValue(parsing: template.json))
            #expect(throws: Never.self, "\(template.name):\n\(pine)") { _ = try PineCompiler.compile(pine) }
            shown += 1
        }
        #expect(shown >= 8)
    }

    @Test func whatPineCannotSayIsRefusedByName() {
        let consensus = StrategyTemplates.json(named: "balanced")!
        let error = #expect(throws: StrategyError.self) { try PineEmitter.pine(try JSONValue(parsing: consensus)) }
        #expect(error?.message.contains("the agents' consensus has no Pine equivalent") == true)
    }
}
