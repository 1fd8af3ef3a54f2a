import Contract
import Indicators
import RPC
import Wire

/// Computes a strategy's indicator columns bar by bar with the same library and the same column
/// names as the indicators service, for Analyze and backtests (live bots read the service's snapshots).
struct FeatureComputer {
    private var row: IndicatorRow
    /// Bars before every indicator is warm.
    let lookback: Int

    init(specs: [String]) throws(OrchestratorError) {
        var indicators: [ConfiguredIndicator] = []
        for spec in specs {
            do { indicators.append(try ConfiguredIndicator(parsing: spec)) } catch {
                throw OrchestratorError(.invalidArgument, "indicator \(spec): \(error.message)")
            }
        }
        row = IndicatorRow(indicators)
        lookback = row.lookback
    }

    /// Feeds one closed candle; its features (columns still warming up are absent).
    mutating func next(_ candle: PB.Candle) -> MarketFeatures {
        let bar = PriceBar(open: candle.open, high: candle.high, low: candle.low, close: candle.close, volume: candle.volume)
        return MarketFeatures(close: candle.close, values: row.update(bar))
    }
}
