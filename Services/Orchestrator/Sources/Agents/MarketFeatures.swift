import Indicators

/// What agents see of one closed bar: its close and the indicator columns, named as the indicators
/// service names them (`ema_12`, `macd_12_26_9_hist`, `bbands_20_2_2_upper`). Live bots get them
/// from the service's snapshots; Analyze and backtests compute them with the same library.
struct MarketFeatures: Sendable, Hashable {
    var close: Double
    var values: [String: Double]

    init(close: Double, values: [String: Double]) {
        self.close = close
        self.values = values
    }

    /// The value of `spec`'s output (`ema:12`; `macd:12,26,9` output `hist`), nil while it warms up.
    func value(_ spec: String, output: String? = nil) -> Double? {
        guard let indicator = try? ConfiguredIndicator(parsing: spec) else { return nil }
        let column = output.map { indicator.columnStem + "_" + $0 } ?? indicator.columnStem
        return values[column].flatMap { $0.isFinite ? $0 : nil }
    }
}
