import Foundation
import Indicators
import Strategies
import Testing
import TradingCore

/// The Pine corpus (`Fixtures/pine/corpus`): each script compiles and trades exactly like its twin
/// written directly in the strategy language (same decision on every bar, same trades), on GOOG
/// and on a random walk, through the batch and the streaming driver alike; and the scripts
/// together use every construct and built-in the compiler supports.
@Suite struct PineCorpusTests {
    static let corpus = Fixtures.directory.appendingPathComponent("pine/corpus")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []).filter { $0.hasSuffix(".pine") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func source(_ name: String) throws -> String {
        try String(contentsOf: corpus.appendingPathComponent(name + ".pine"), encoding: .utf8)
    }

    static func run(_ plan: StrategyPlan, _ series: BarSeries, streaming: Bool = false) throws -> BacktestResult {
        var settings = BacktestSettings(initialCash: FixedDecimal(raw: 1_000_000 * FixedDecimal.unitsPerOne), recordDecisions: true)
        settings.streaming = streaming
        return try Backtester(plan: plan, settings: settings).run(series)
    }

    @Test("the corpus has at least 25 strategies, each with its twin")
    func corpusSize() {
        #expect(Self.names.count >= 25)
        for name in Self.names {
            #expect(FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent(name + ".json").path), "\(name) has no twin")
        }
    }

    @Test("each script trades like its strategy-language twin, bar by bar", arguments: PineCorpusTests.names)
    func sameAsTwin(name: String) throws {
        let compiled = try PineCompiler.compile(try Self.source(name))
        let twin = try StrategyDocument(json: try String(contentsOf: Self.corpus.appendingPathComponent(name + ".json"), encoding: .utf8))
        let pinePlan = try StrategyCompiler.compile(compiled.document), twinPlan = try StrategyCompiler.compile(twin)
        #expect(compiled.document.parameters.map(\.name).sorted() == twin.parameters.map(\.name).sorted())
        for series in [try Fixtures.goog(), try DriverEquivalenceTests.randomWalk(count: 3_000, seed: 11)] {
            let pine = try Self.run(pinePlan, series), direct = try Self.run(twinPlan, series)
            #expect(pine.decisions.map(\.bar) == direct.decisions.map(\.bar), "\(name): decisions on different bars")
            #expect(pine.decisions.map(\.decision) == direct.decisions.map(\.decision), "\(name): different decisions")
            #expect(pine.trades == direct.trades, "\(name): different trades")
            #expect(pine.finalEquity == direct.finalEquity)
            let streaming = try Self.run(pinePlan, series, streaming: true)
            #expect(streaming.trades == pine.trades, "\(name): the streaming driver trades differently")
        }
        #expect(try Self.run(pinePlan, try Fixtures.goog()).trades.count >= 1, "\(name) never trades on GOOG; a test that cannot fail proves nothing")
    }

    /// Every construct and built-in the README lists as supported, as it is spelled in a script.
    static let coverage = [
        "//@version=5", "//@version=6", "strategy(", "initial_capital", "default_qty_type", "default_qty_value", "commission_type", "commission_value",
        "slippage", "pyramiding", "process_orders_on_close", "na", ":=", "+=", "var ", "varip ", "if ", "else if", "else", "?", " and ", " or ",
        "not ", "[1]", "for ", "break", "continue", "switch", "=>", "input.int", "input.float", "input.bool", "input.string", "input.source",
        "open", "high", "low", "close", "volume", "hl2", "hlc3", "bar_index", "na(", "nz(", "fixnan(", "math.abs", "math.max", "math.min",
        "math.round", "math.floor", "math.ceil", "math.sqrt", "math.log", "math.exp", "math.pow", "math.sign", "math.avg", "ta.sma", "ta.ema",
        "ta.wma", "ta.rma", "ta.vwma", "ta.rsi", "ta.macd", "ta.bb(", "ta.bbw", "ta.stoch", "ta.cci", "ta.mfi", "ta.obv", "ta.mom", "ta.roc",
        "ta.atr", "ta.highest", "ta.lowest", "ta.highestbars", "ta.lowestbars", "ta.crossover", "ta.crossunder", "ta.cross(", "ta.change",
        "ta.rising", "ta.falling", "ta.stdev", "ta.variance", "ta.dmi", "ta.supertrend", "ta.sar", "ta.pivothigh", "ta.pivotlow", "ta.barssince",
        "ta.valuewhen", "ta.cum", "strategy.entry", "strategy.order", "strategy.close(", "strategy.close_all", "strategy.exit", "stop=", "limit=",
        "loss=", "profit=", "trail_points", "trail_offset", "strategy.cash", "strategy.percent_of_equity", "strategy.cancel", "strategy.position_size", "strategy.position_avg_price",
        "strategy.equity", "strategy.opentrades", "strategy.long", "strategy.short", "qty=", "when", "plot(",
        "time", "timestamp(", "year", "month", "dayofmonth", "dayofweek", "hour", "minute", "ta.vwap",
    ]

    @Test("together the scripts use every supported construct and built-in")
    func coversEverything() throws {
        let all = try Self.names.map { try Self.source($0) }.joined(separator: "\n")
        let missing = Self.coverage.filter { !all.contains($0) }
        #expect(missing.isEmpty, "not in any corpus script: \(missing)")
    }
}

/// Broker-emulator semantics against an independent reference: backtesting.py's trades for the
/// same strategies on GOOG (`scripts/pine-goldens.py`, committed as `Fixtures/pine/goldens`).
@Suite struct PineGoldenTests {
    @Test("the compiled script's closed trades are backtesting.py's", arguments: ["sma_cross", "rsi_thresholds", "stop_limit", "reversal"])
    func matchesGolden(name: String) throws {
        let directory = Fixtures.directory.appendingPathComponent("pine")
        let compiled = try PineCompiler.compile(try String(contentsOf: directory.appendingPathComponent("golden_\(name).pine"), encoding: .utf8))
        #expect(compiled.initialCapital == 1_000_000)
        let result = try PineCorpusTests.run(try StrategyCompiler.compile(compiled.document), try Fixtures.goog())
        let golden = try String(contentsOf: directory.appendingPathComponent("goldens/\(name).csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(result.trades.count == golden.count)
        #expect(golden.count >= 9)
        for (trade, row) in zip(result.trades, golden) {
            let expected = "\(row[0]) \(row[1]) \(row[2]) \(row[3])"
            let actual = "\(trade.entryBar) \(trade.exitBar ?? -1) \(trade.side == .buy ? "long" : "short") \(trade.quantity)"
            #expect(actual == expected)
            #expect(abs(trade.entryPrice.doubleValue - Double(row[4])!) < 1e-6, "entry of \(expected)")
            #expect(abs((trade.exitPrice?.doubleValue ?? 0) - Double(row[5])!) < 1e-6, "exit of \(expected)")
        }
    }
}
