/// The agents' numeric parameters (one namespace: the trend and momentum agents share
/// `fast_period` and `slow_period`), every one known, in range and with defaults filled in.
public struct AgentParameters: Sendable, Hashable {
    /// Every parameter's value, by name.
    public private(set) var values: [String: Double]

    /// One parameter's meaning and bounds.
    public struct Definition: Sendable {
        public var defaultValue: Double
        public var range: ClosedRange<Double>
        /// Whether only whole numbers are allowed (periods).
        public var integer: Bool
        /// What it does, for error messages and the assistant.
        public var meaning: String
    }

    /// Every parameter an agent reads.
    public static let catalog: [String: Definition] = [
        "fast_period": Definition(defaultValue: 12, range: 2...500, integer: true, meaning: "fast EMA period (trend), MACD fast period (momentum)"),
        "slow_period": Definition(defaultValue: 26, range: 3...1000, integer: true, meaning: "slow EMA and SMA period (trend), MACD slow period (momentum)"),
        "trend_saturation": Definition(
            defaultValue: 0.01, range: 0.0001...1, integer: false, meaning: "EMA spread, as a fraction of price, that makes the trend agent fully sure"),
        "signal_period": Definition(defaultValue: 9, range: 1...200, integer: true, meaning: "MACD signal period (momentum)"),
        "rsi_period": Definition(defaultValue: 14, range: 2...500, integer: true, meaning: "RSI period"),
        "oversold": Definition(defaultValue: 30, range: 1...50, integer: false, meaning: "RSI at or below which the reversion agent buys"),
        "overbought": Definition(defaultValue: 70, range: 50...99, integer: false, meaning: "RSI at or above which the reversion agent sells"),
        "bb_period": Definition(defaultValue: 20, range: 2...500, integer: true, meaning: "Bollinger period"),
        "bb_stddev": Definition(defaultValue: 2, range: 0.5...5, integer: false, meaning: "Bollinger width in standard deviations"),
        "atr_period": Definition(defaultValue: 14, range: 1...500, integer: true, meaning: "ATR period (volatility)"),
        "max_atr_pct": Definition(
            defaultValue: 0.05, range: 0.001...1, integer: false, meaning: "ATR, as a fraction of price, above which the volatility agent urges holding"),
    ]

    /// `given` over the defaults. An unknown name or a value out of range is refused with
    /// `pointer(name)` as its place.
    public init(_ given: [String: Double], pointer: (String) -> String = { "/\($0)" }) throws(StrategyError) {
        var values = Self.catalog.mapValues(\.defaultValue)
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let definition = Self.catalog[name] else {
                let known = Self.catalog.keys.sorted()
                throw StrategyError(
                    .unknownName, at: pointer(name),
                    "agent parameter \"\(name.prefix(40))\" is unknown\(Suggestion.didYouMean(name, among: known)); known: \(known.joined(separator: ", "))")
            }
            guard value.isFinite, definition.range.contains(value), !definition.integer || value == value.rounded() else {
                throw StrategyError(
                    .invalidValue, at: pointer(name),
                    "agent parameter \(name) = \(value) is out of range: \(definition.integer ? "a whole number " : "")in \(definition.range.lowerBound)…\(definition.range.upperBound) (\(definition.meaning))")
            }
            values[name] = value
        }
        guard values["fast_period"]! < values["slow_period"]! else {
            throw StrategyError(.invalidValue, at: pointer("fast_period"), "fast_period (\(values["fast_period"]!)) must be below slow_period (\(values["slow_period"]!))")
        }
        guard values["oversold"]! < values["overbought"]! else {
            throw StrategyError(.invalidValue, at: pointer("oversold"), "oversold (\(values["oversold"]!)) must be below overbought (\(values["overbought"]!))")
        }
        self.values = values
    }

    public subscript(_ name: String) -> Double { values[name] ?? Self.catalog[name]?.defaultValue ?? .nan }
}
