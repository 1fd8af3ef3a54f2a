import Contract
import Indicators
import RPC
import Wire

/// Computes a strategy's indicator columns bar by bar with the same library and the same column
/// names as the indicators service, for Analyze and backtests (live bots read the service's snapshots).
struct FeatureComputer {
    private var engines: [any IndicatorEngine]
    private let columns: [[String]]
    private var row: [Double]
    /// Bars before every indicator is warm.
    let lookback: Int

    init(specs: [String]) throws(OrchestratorError) {
        var indicators: [ConfiguredIndicator] = []
        for spec in specs {
            do { indicators.append(try ConfiguredIndicator(parsing: spec)) } catch {
                throw OrchestratorError(.invalidArgument, "indicator \(spec): \(error.message)")
            }
        }
        engines = indicators.map { $0.makeEngine() }
        columns = indicators.map(\.columnNames)
        row = Array(repeating: .nan, count: indicators.map(\.definition.width).max() ?? 1)
        lookback = indicators.map(\.lookback).max() ?? 0
    }

    /// Feeds one closed candle; its features (columns still warming up are absent).
    mutating func next(_ candle: PB.Candle) -> MarketFeatures {
        let bar = PriceBar(open: candle.open, high: candle.high, low: candle.low, close: candle.close, volume: candle.volume)
        var values: [String: Double] = [:]
        row.withUnsafeMutableBufferPointer { row in
            for i in engines.indices where engines[i].update(bar, into: row) {
                for (k, name) in columns[i].enumerated() where row[k].isFinite { values[name] = row[k] }
            }
        }
        return MarketFeatures(close: candle.close, values: values)
    }
}
