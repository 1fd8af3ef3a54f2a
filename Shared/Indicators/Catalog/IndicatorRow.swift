/// Several configured indicators fed together one bar at a time, their warm outputs named by
/// column (`rsi_14`, `macd_12_26_9_hist`): what the indicators service keeps per series and what
/// bots' analyses and backtests compute. A value type, so keeping a copy keeps the state.
public struct IndicatorRow: Sendable {
    public let indicators: [ConfiguredIndicator]
    private let columns: [[String]]
    private var engines: [any IndicatorEngine]
    private var row: [Double]

    /// Fresh state for `indicators`, in their order.
    public init(_ indicators: [ConfiguredIndicator]) {
        self.indicators = indicators
        columns = indicators.map(\.columnNames)
        engines = indicators.map { $0.makeEngine() }
        row = Array(repeating: .nan, count: indicators.map(\.definition.width).max() ?? 1)
    }

    /// Every column name, in indicator order.
    public var columnNames: [String] { columns.flatMap { $0 } }

    /// Bars consumed before every indicator is warm.
    public var lookback: Int { engines.map(\.lookback).max() ?? 0 }

    /// Feeds one bar; the outputs of the indicators that are warm, by column name.
    public mutating func update(_ bar: PriceBar) -> [String: Double] {
        var values: [String: Double] = [:]
        row.withUnsafeMutableBufferPointer { row in
            for i in engines.indices where engines[i].update(bar, into: row) {
                for (k, name) in columns[i].enumerated() { values[name] = row[k] }
            }
        }
        return values
    }
}
