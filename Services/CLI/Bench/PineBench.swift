import ArgumentParser
import Foundation
import Strategies

/// The Pine compiler: compiling a 300-line strategy (target < 5 ms), and a compiled Pine SMA cross
/// backtested against the same strategy written in the strategy language, on the same seeded bars
/// (target ≤ 1.2× its time). The baselines in the same run: reading and compiling the 300-line
/// script's strategy-language document alone, and the hand-written document's backtest.
struct PineBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pine", abstract: "Pine Script: compile time and backtest speed against the strategy language.")

    @Option(help: "Bars for the backtests.")
    var bars = 1_000_000

    @Option(help: "Compilations to time.")
    var compiles = 200

    func run() throws {
        ComputeMemory.keepFreedBlocks()
        let script = Self.script(lines: 300)
        let lineCount = script.split(separator: "\n", omittingEmptySubsequences: false).count
        let compiled = try PineCompiler.compile(script)
        let documentText = compiled.document.json.jsonText
        var compileNs: [Double] = [], documentNs: [Double] = []
        for _ in 0..<compiles {
            var start = nowNs()
            _ = try PineCompiler.compile(script)
            compileNs.append(Double(nowNs() - start))
            start = nowNs()
            _ = try StrategyCompiler.compile(try StrategyDocument(json: documentText))
            documentNs.append(Double(nowNs() - start))
        }
        compileNs.sort()
        documentNs.sort()
        printFigures("pine.compile", [
            ("lines", Double(lineCount)), ("signals", Double(compiled.document.signals.count)), ("ms_median", percentile(compileNs, 0.5) / 1e6),
            ("ms_p99", percentile(compileNs, 0.99) / 1e6), ("baseline_document_only_ms_median", percentile(documentNs, 0.5) / 1e6),
        ])

        let series = BacktestBench.generate(count: bars)
        let pine = try StrategyCompiler.compile(try PineCompiler.compile(Self.smaCross).document)
        let direct = try StrategyCompiler.compile(try StrategyDocument(json: Self.smaCrossDocument))
        // Alternated, the best of seven each: on a shared machine a run can take twice another.
        var pineTrades = 0, directTrades = 0
        var pineNs = Double.infinity, directNs = Double.infinity
        for _ in 0..<7 {
            var start = nowNs()
            pineTrades = try Backtester(plan: pine).run(series).trades.count
            pineNs = min(pineNs, Double(nowNs() - start))
            start = nowNs()
            directTrades = try Backtester(plan: direct).run(series).trades.count
            directNs = min(directNs, Double(nowNs() - start))
        }
        let n = Double(bars)
        printFigures("pine.backtest_sma_cross", [
            ("bars", n), ("trades", Double(pineTrades)), ("baseline_trades", Double(directTrades)), ("bars_per_s", n / pineNs * 1e9),
            ("baseline_strategy_language_bars_per_s", n / directNs * 1e9), ("vs_strategy_language", pineNs / directNs),
            ("instructions", Double(pine.instructionCount)), ("baseline_instructions", Double(direct.instructionCount)),
        ])
    }

    static let smaCross = """
        //@version=6
        strategy("SMA cross", initial_capital=1000000, default_qty_value=10)
        fast = ta.sma(close, input.int(10, "Fast"))
        slow = ta.sma(close, input.int(20, "Slow"))
        if ta.crossover(fast, slow)
            strategy.entry("Long", strategy.long)
        if ta.crossunder(fast, slow)
            strategy.close("Long")
        """

    static let smaCrossDocument = """
        {"version": 1, "name": "SMA cross", "parameters": {"fast": {"int": [1, 200], "default": 10}, "slow": {"int": [1, 300], "default": 20}},
         "signals": {"f": {"indicator": "sma", "period": "$fast"}, "s": {"indicator": "sma", "period": "$slow"}},
         "rules": {"entry_long": {"left": "f", "op": "crosses_above", "right": "s"}, "exit_long": {"left": "f", "op": "crosses_below", "right": "s"}},
         "sizing": {"model": "fixed_quantity", "quantity": 10}, "execution": {"fill": "next_open", "intrabar": "nearest_first"}}
        """

    /// A strategy of about `lines` lines that reads like a real one: inputs, a helper function,
    /// indicators, state, branches, a loop, entries and exits, repeated with different lengths;
    /// the entry votes over every block, so everything it computes is in the strategy.
    static func script(lines: Int) -> String {
        var out = [
            "//@version=6", "strategy(\"Bench\", initial_capital=100000, default_qty_type=strategy.percent_of_equity, default_qty_value=10)",
            "base = input.int(14, \"Base length\", minval=2, maxval=100)", "threshold = input.float(1.5, \"Threshold\", minval=0.1, maxval=5)",
            "band(src, len, mult) =>", "    mid = ta.sma(src, len)", "    mid + mult * ta.stdev(src, len)", "var int streak = 0",
            "streak := close > open ? streak + 1 : 0",
        ]
        var k = 0
        while out.count < lines - 6 - k / 3 {
            k += 1
            let n = 5 + k % 40
            out += [
                "// block \(k)", "fast\(k) = ta.ema(close, \(n))", "slow\(k) = ta.sma(hl2, \(n * 2))", "r\(k) = ta.rsi(close, \(n))",
                "up\(k) = band(close, \(n), threshold)", "var float level\(k) = na", "score\(k) = 0.0",
                "for i = 0 to 2", "    score\(k) := score\(k) + (close[i] > fast\(k) ? 1 : 0)",
                "if ta.crossover(fast\(k), slow\(k)) and r\(k) < 70", "    level\(k) := close", "else if r\(k) > 80",
                "    level\(k) := na", "signal\(k) = not na(level\(k)) and score\(k) >= 2 and close < up\(k)",
            ]
        }
        out += ["votes = 0"]
        for b in stride(from: 1, through: k, by: 3) {
            out.append("votes += (signal\(b) ? 1 : 0) + (signal\(min(b + 1, k)) ? 1 : 0) + (signal\(min(b + 2, k)) ? 1 : 0)")
        }
        out += [
            "if votes * 2 > \(k) and streak >= 2", "    strategy.entry(\"Long\", strategy.long)", "if r1 > 75 or votes == 0", "    strategy.close(\"Long\")",
        ]
        return out.joined(separator: "\n") + "\n"
    }
}
