import RPC
/// A strategy's numeric parameters, every one known, in range and with defaults filled in.
struct StrategyParameters: Sendable, Hashable {
    private(set) var values: [String: Double]

    /// One parameter's meaning and bounds.
    struct Definition: Sendable {
        var defaultValue: Double
        var range: ClosedRange<Double>
        var integer: Bool
        var meaning: String
    }

    /// Every parameter an agent reads.
    static let catalog: [String: Definition] = [
        "fast_period": Definition(defaultValue: 12, range: 2...500, integer: true, meaning: "fast EMA period (trend)"),
        "slow_period": Definition(defaultValue: 26, range: 3...1000, integer: true, meaning: "slow EMA and SMA period (trend)"),
        "trend_saturation": Definition(defaultValue: 0.01, range: 0.0001...1, integer: false, meaning: "EMA spread, as a fraction of price, that makes the trend agent fully sure"),
        "signal_period": Definition(defaultValue: 9, range: 1...200, integer: true, meaning: "MACD signal period (momentum)"),
        "rsi_period": Definition(defaultValue: 14, range: 2...500, integer: true, meaning: "RSI period"),
        "oversold": Definition(defaultValue: 30, range: 1...50, integer: false, meaning: "RSI at or below which the reversion agent buys"),
        "overbought": Definition(defaultValue: 70, range: 50...99, integer: false, meaning: "RSI at or above which the reversion agent sells"),
        "bb_period": Definition(defaultValue: 20, range: 2...500, integer: true, meaning: "Bollinger period"),
        "bb_stddev": Definition(defaultValue: 2, range: 0.5...5, integer: false, meaning: "Bollinger width in standard deviations"),
        "atr_period": Definition(defaultValue: 14, range: 1...500, integer: true, meaning: "ATR period"),
        "max_atr_pct": Definition(defaultValue: 0.05, range: 0.001...1, integer: false, meaning: "ATR, as a fraction of price, above which the volatility agent urges holding"),
    ]

    /// `given` over the defaults; an unknown name or a value out of range is refused, naming it.
    init(_ given: [String: Double]) throws(OrchestratorError) {
        var values = Self.catalog.mapValues(\.defaultValue)
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let definition = Self.catalog[name] else {
                throw OrchestratorError(
                    .invalidArgument, "strategy parameter \"\(name.prefix(40))\" is unknown; known: \(Self.catalog.keys.sorted().joined(separator: ", "))")
            }
            guard value.isFinite, definition.range.contains(value), !definition.integer || value == value.rounded() else {
                let bound = "\(definition.range.lowerBound)…\(definition.range.upperBound)"
                throw OrchestratorError(
                    .invalidArgument, "strategy parameter \(name) = \(value) is out of range: \(definition.integer ? "a whole number " : "")in \(bound) (\(definition.meaning))")
            }
            values[name] = value
        }
        guard values["fast_period"]! < values["slow_period"]! else {
            throw OrchestratorError(.invalidArgument, "fast_period (\(values["fast_period"]!)) must be below slow_period (\(values["slow_period"]!))")
        }
        guard values["oversold"]! < values["overbought"]! else {
            throw OrchestratorError(.invalidArgument, "oversold (\(values["oversold"]!)) must be below overbought (\(values["overbought"]!))")
        }
        self.values = values
    }

    subscript(_ name: String) -> Double { values[name] ?? Self.catalog[name]?.defaultValue ?? .nan }

    /// An integer parameter as written in an indicator spec.
    func period(_ name: String) -> Int { Int(self[name]) }
}
