import Contract
import Indicators
import RPC
import Wire

/// A configured indicator set as stored: the series it runs on, the indicators as the user wrote
/// them, and the bar its values are computed from.
struct IndicatorSetRecord: Sendable {
    let id: String
    let key: SeriesKey
    /// The indicators as written (parameters left out take defaults), each already validated.
    let indicators: [ConfiguredIndicator]
    let specs: [IndicatorSpec]
    /// Open time of the first bar the values start from: warm-up after a restart replays from here,
    /// so cumulative indicators (OBV, A/D, VWAP since start) keep their values.
    let anchorNs: Int64
    let createdAtNs: Int64

    /// Most indicators one set may hold.
    static let maxIndicators = 64

    init(id: String, key: SeriesKey, specs: [IndicatorSpec], anchorNs: Int64, createdAtNs: Int64) throws(IndicatorsError) {
        guard !specs.isEmpty else { throw IndicatorsError(.invalidArgument, "an indicator set needs at least one indicator") }
        guard specs.count <= Self.maxIndicators else {
            throw IndicatorsError(.invalidArgument, "an indicator set holds at most \(Self.maxIndicators) indicators, not \(specs.count)")
        }
        var configured: [ConfiguredIndicator] = []
        for (i, spec) in specs.enumerated() {
            do { configured.append(try ConfiguredIndicator(spec)) } catch { throw IndicatorsError(error, in: "indicators[\(i)] (\(spec))") }
        }
        self.id = id
        self.key = key
        self.indicators = configured
        self.specs = specs
        self.anchorNs = anchorNs
        self.createdAtNs = createdAtNs
    }

    /// The specs as one stored text: `rsi:14 macd:12,26,9`.
    var specsText: String { specs.map(\.description).joined(separator: " ") }

    /// Parses `specsText`.
    static func parseSpecs(_ text: String) throws(IndicatorsError) -> [IndicatorSpec] {
        var specs: [IndicatorSpec] = []
        for word in text.split(separator: " ") {
            do { specs.append(try IndicatorSpec(parsing: String(word))) } catch { throw IndicatorsError(error, in: "stored spec '\(word)'") }
        }
        return specs
    }

    var wire: PB.IndicatorSet {
        PB.IndicatorSet(
            id: id, symbol: key.symbol, timeframe: key.timeframe.wire,
            indicators: specs.map { PB.IndicatorSpec(name: $0.name, parameters: $0.parameters) }, createdAtNs: createdAtNs)
    }
}
