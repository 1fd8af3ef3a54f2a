import ArgumentParser
import Foundation
import Indicators
import Strategies
import TradingCore

/// The strategy engine's speed on seeded one-minute bars: the SMA(10/20) template and a
/// five-condition template (RSI + MACD + rising close, ATR stop, ATR trailing stop) in bars/s,
/// indicators included; an optimisation of parameter sets on one worker and on every core; and a
/// live bot's per-bar evaluation (streaming indicators + program + decision). The baseline in the
/// same run is the SMA cross hand-written as one loop (running sums, Double cash, all-in): what
/// the engine would cost if it were not an engine.
struct BacktestBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backtest", abstract: "Strategy engine: backtests, optimisation, live evaluation.")

    @Option(help: "Bars for the single backtests.")
    var bars = 1_000_000

    @Option(help: "Bars for the optimisation.")
    var optimizeBars = 100_000

    @Option(help: "Parameter sets in the optimisation.")
    var sets = 1_000

    func run() throws {
        ComputeMemory.keepFreedBlocks()
        let series = Self.generate(count: bars)
        let sma = try StrategyCompiler.compile(try StrategyDocument(json: StrategyTemplates.json(named: "sma_cross")!))
        let five = try StrategyCompiler.compile(try StrategyDocument(json: StrategyTemplates.json(named: "rsi_macd_atr")!))
        var trades = 0
        let smaNs = try Self.best { () throws -> Double in
            let start = nowNs()
            let r = try Backtester(plan: sma).run(series)
            trades = r.trades.count
            return Double(nowNs() - start)
        }
        var baselineTrades = 0
        let baselineNs = Self.best { () -> Double in
            let start = nowNs()
            baselineTrades = Self.handWrittenSMACross(series.prices, fast: 10, slow: 20)
            return Double(nowNs() - start)
        }
        let fiveNs = try Self.best { () throws -> Double in
            let start = nowNs()
            _ = try Backtester(plan: five).run(series)
            return Double(nowNs() - start)
        }
        let liveNs = Self.liveNsPerBar(sma, series.prices, count: min(bars, 200_000))
        let n = Double(bars)
        printFigures("backtest.sma_cross", [
            ("bars", n), ("trades", Double(trades)), ("baseline_trades", Double(baselineTrades)),
            ("bars_per_s", n / smaNs * 1e9), ("baseline_hand_loop_bars_per_s", n / baselineNs * 1e9), ("vs_hand_loop", smaNs / baselineNs),
        ])
        printFigures("backtest.five_condition", [("bars", n), ("bars_per_s", n / fiveNs * 1e9), ("vs_sma_cross", fiveNs / smaNs)])
        printFigures("backtest.live_bar", [("ns_per_bar", liveNs)])

        let small = Self.generate(count: optimizeBars)
        let document = try StrategyDocument(json: StrategyTemplates.json(named: "sma_cross")!)
        let all = try ParameterSearch.grid.sets(
            [ParameterRange(name: "fast", values: (2...100).map(Double.init)), ParameterRange(name: "slow", values: (101...400).map(Double.init))],
            maxTrials: 1_000_000)
        let chosen = Array(all.prefix(sets)).enumerated().map { (index: $0.offset, parameters: $0.element) }
        var timings: [Double] = []
        for threads in [1, ProcessInfo.processInfo.activeProcessorCount] {
            let optimizer = Optimizer(document: document, threads: threads)
            let start = nowNs()
            _ = try optimizer.run(chosen, over: small)
            timings.append(Double(nowNs() - start))
        }
        printFigures("backtest.optimize", [
            ("bars", Double(optimizeBars)), ("sets", Double(chosen.count)), ("sets_per_s_1_core", Double(chosen.count) / timings[0] * 1e9),
            ("cores", Double(ProcessInfo.processInfo.activeProcessorCount)), ("sets_per_s_all_cores", Double(chosen.count) / timings[1] * 1e9),
            ("speedup", timings[0] / timings[1]),
        ])
    }

    /// Seeded one-minute bars whose price wanders ±0.1 % a bar around 100.
    static func generate(count: Int) -> BarSeries {
        var rng = SplitMix64(seed: 20_261_203)
        var prices = PriceSeries(open: [], high: [], low: [], close: [], volume: [])
        var times: [Int64] = []
        var close = 100.0
        for i in 0..<count {
            let open = close
            close = max(1, open * (1 + rng.nextGaussian() * 0.001))
            prices.open.append(open)
            prices.high.append(max(open, close) * (1 + abs(rng.nextGaussian()) * 0.0005))
            prices.low.append(min(open, close) * (1 - abs(rng.nextGaussian()) * 0.0005))
            prices.close.append(close)
            prices.volume.append((rng.nextDouble() * 1e4).rounded())
            times.append(1_700_000_000_000_000_000 + Int64(i) * 60_000_000_000)
        }
        return try! BarSeries(timesNs: times, prices: prices)
    }

    /// The SMA cross as one hand-written loop, fills at the close, all-in whole units; its trades.
    static func handWrittenSMACross(_ p: PriceSeries, fast: Int, slow: Int) -> Int {
        var sumFast = 0.0, sumSlow = 0.0, prevDiff = Double.nan
        var cash = 100_000.0, units = 0.0, trades = 0
        p.close.withUnsafeBufferPointer { c in
            for i in 0..<c.count {
                sumFast += c[i]
                sumSlow += c[i]
                if i >= fast { sumFast -= c[i - fast] }
                if i >= slow { sumSlow -= c[i - slow] }
                guard i >= slow - 1 else { continue }
                let diff = sumFast / Double(fast) - sumSlow / Double(slow)
                if i < c.count - 1, !prevDiff.isNaN {
                    if units == 0, prevDiff <= 0, diff > 0 {
                        units = (cash / c[i]).rounded(.down)
                        cash -= units * c[i]
                    } else if units > 0, prevDiff >= 0, diff < 0 {
                        cash += units * c[i]
                        units = 0
                        trades += 1
                    }
                }
                prevDiff = diff
            }
        }
        return trades
    }

    /// One `LiveStrategy.next` per bar (streaming indicators, program, decision), in ns.
    static func liveNsPerBar(_ plan: StrategyPlan, _ p: PriceSeries, count: Int) -> Double {
        best {
            var live = LiveStrategy(plan: plan)
            var fired = 0
            let start = nowNs()
            for i in 0..<count {
                let d = live.next(p[i], timeNs: Int64(i) * 60_000_000_000, position: .flat, entries: 0)
                if d.entry != nil { fired += 1 }
            }
            let ns = Double(nowNs() - start) / Double(count)
            precondition(fired > 0)
            return ns
        }
    }

    /// The best of three after an untimed run.
    static func best(_ measure: () throws -> Double) rethrows -> Double {
        _ = try measure()
        return try (0..<3).map { _ in try measure() }.min()!
    }
}
