import ArgumentParser
import Foundation
import Indicators
import TradingCore

/// Every catalogue indicator (default parameters) over the same seeded bars, batch and streaming,
/// in ns per bar. Batch is the kernel looping over contiguous columns; streaming is the indicator's
/// `update(bar)` once per bar (`replay`); `engine_ns_per_bar` adds the dynamic dispatch of one
/// `IndicatorEngine.update` call per bar, as the indicators service and bots make it.
///
/// With `--talib FILE` (written by scripts/bench-indicators.sh, which times TA-Lib's C code on the
/// same bars through its Python wheel) each line also carries TA-Lib's figure and the ratio.
struct IndicatorsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators", abstract: "Indicators, batch and streaming, vs TA-Lib.")

    @Option(help: "Bars to generate (seeded).")
    var bars = 1_000_000

    @Option(help: "Write the generated bars (float64 little-endian: open…, high…, low…, close…, volume…) and exit.")
    var writeBars: String?

    @Option(help: "JSON object of TA-Lib ns/bar by indicator name, measured on the bars from --write-bars.")
    var talib: String?

    @Option(help: "Only these indicators (comma-separated names).")
    var only: String?

    func run() throws {
        let series = Self.generate(count: bars)
        if let writeBars {
            try Self.write(series, to: writeBars)
            return
        }
        let reference = try talib.map(Self.readReference) ?? [:]
        let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
        var worst = 0.0
        for definition in IndicatorCatalog.all where wanted?.contains(definition.name) ?? true {
            let indicator = try ConfiguredIndicator(IndicatorSpec(name: definition.name))
            let output = OutputBlock(count: series.count, width: definition.width)
            defer { output.release() }
            let batch = Self.best { Self.batchNs(indicator, series, output) }
            let stream = Self.best { Self.replayNs(indicator, series, output) }
            let engine = Self.best { Self.engineNs(indicator, series) }
            var figures: [(String, Double)] = [
                ("batch_ns_per_bar", batch), ("stream_ns_per_bar", stream), ("stream_vs_batch", stream / batch),
                ("engine_ns_per_bar", engine),
            ]
            if let theirs = reference[definition.name] {
                figures += [("talib_ns_per_bar", theirs), ("batch_vs_talib", batch / theirs)]
                worst = max(worst, batch / theirs)
            }
            printFigures("indicators.\(indicator.columnStem)", [("bars", Double(series.count))] + figures)
        }
        if !reference.isEmpty { printFigures("indicators.summary", [("worst_batch_vs_talib", worst)]) }
    }

    /// The best of three runs after an untimed one, as the TA-Lib script times its side (shared,
    /// noisy machine; the first passes after the bars were generated ran up to 1.6× slower).
    static func best(_ measure: () -> Double) -> Double {
        _ = measure()
        return (0..<3).map { _ in measure() }.min()!
    }

    static func batchNs(_ indicator: ConfiguredIndicator, _ series: PriceSeries, _ output: OutputBlock) -> Double {
        columnsNs(indicator, series, output) { engine, input, columns in engine.run(over: input, into: columns) }
    }

    static func replayNs(_ indicator: ConfiguredIndicator, _ series: PriceSeries, _ output: OutputBlock) -> Double {
        columnsNs(indicator, series, output) { engine, input, columns in engine.replay(over: input, into: columns) }
    }

    /// One timed pass of `body` on a fresh engine, writing into `output` (NaN-filled first, untimed).
    static func columnsNs(
        _ indicator: ConfiguredIndicator, _ series: PriceSeries, _ output: OutputBlock,
        _ body: (inout any IndicatorEngine, PriceColumns, UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) -> Void
    ) -> Double {
        var engine = indicator.makeEngine()
        output.values.update(repeating: .nan)
        let start = nowNs()
        series.withColumns { body(&engine, $0, output.columns) }
        let elapsed = nowNs() - start
        blackHole(output.values[series.count - 1])
        return Double(elapsed) / Double(series.count)
    }

    static func engineNs(_ indicator: ConfiguredIndicator, _ series: PriceSeries) -> Double {
        var engine = indicator.makeEngine()
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: engine.width)
        defer { row.deallocate() }
        var warm = 0
        let start = nowNs()
        for index in 0..<series.count where engine.update(series[index], into: row) { warm += 1 }
        let elapsed = nowNs() - start
        blackHole((warm, row[0]))
        return Double(elapsed) / Double(series.count)
    }

    /// A seeded random walk with realistic bars (SplitMix64 + Box–Muller), the same on every machine.
    static func generate(count: Int) -> PriceSeries {
        var rng = SplitMix64(seed: 20_261_121)
        func next() -> Double { rng.nextDouble() }
        func normal() -> Double { rng.nextGaussian() }
        var series = PriceSeries(open: [], high: [], low: [], close: [], volume: [])
        var close = 100.0
        for _ in 0..<count {
            let open = close * (1 + normal() * 0.002)
            close = open * (1 + normal() * 0.01)
            series.open.append(open)
            series.high.append(max(open, close) * (1 + abs(normal()) * 0.004))
            series.low.append(min(open, close) * (1 - abs(normal()) * 0.004))
            series.close.append(close)
            series.volume.append((next() * 1e5).rounded())
        }
        return series
    }

    static func write(_ series: PriceSeries, to path: String) throws {
        var data = Data()
        for column in [series.open, series.high, series.low, series.close, series.volume] {
            column.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func readReference(_ path: String) throws -> [String: Double] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Double] else {
            throw ValidationError("\(path) is not a JSON object of numbers")
        }
        return object
    }
}

/// The output columns of one indicator, allocated once and reused by every timed pass: TA-Lib's
/// timing gets its output from the allocator's free list too, so neither side pays fresh pages, and
/// no copy-out between passes pushes the input bars out of the cache before the next one.
struct OutputBlock {
    let values: UnsafeMutableBufferPointer<Double>
    let columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>

    init(count: Int, width: Int) {
        values = .allocate(capacity: max(1, count * width))
        values.initialize(repeating: .nan)
        columns = .allocate(capacity: width)
        for k in 0..<width { columns[k] = values.baseAddress! + k * count }
    }

    func release() {
        values.deallocate()
        columns.deallocate()
    }
}
