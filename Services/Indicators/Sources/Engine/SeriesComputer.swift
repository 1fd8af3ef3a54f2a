import Indicators

/// The streaming state of every indicator configured on one series, fed one closed bar at a time.
///
/// Indicators are the union of the series' sets, each computed once (`rsi` and `rsi:14` are the same
/// column). A correction of the last bar (a late tick changed it) is applied by restoring the state
/// from before that bar and feeding the corrected one: the indicators are value types, so keeping
/// that state is a copy.
struct SeriesComputer: Sendable {
    /// What one bar did.
    enum Step: Equatable {
        /// A new bar: the outputs that are warm, by column name.
        case bar([String: Double])
        /// The last bar again, corrected.
        case correction([String: Double])
        /// Older than the last bar: nothing changed.
        case stale
    }

    let indicators: [ConfiguredIndicator]
    private let columns: [[String]]
    private var engines: [any IndicatorEngine]
    /// The engines before the last bar, kept while `undoable`.
    private var beforeLast: [any IndicatorEngine]?
    private(set) var lastOpenTime: Int64?
    private var row: [Double]

    /// A fresh state for the union of `sets`' indicators.
    init(sets: [[ConfiguredIndicator]]) {
        var seen = Set<String>()
        var union: [ConfiguredIndicator] = []
        for indicator in sets.joined() where seen.insert(indicator.columnStem).inserted { union.append(indicator) }
        indicators = union
        columns = union.map(\.columnNames)
        engines = union.map { $0.makeEngine() }
        row = Array(repeating: .nan, count: union.map(\.definition.width).max() ?? 1)
    }

    /// Every column name, in indicator order.
    var columnNames: [String] { columns.flatMap { $0 } }

    /// Feeds the closed bar that opened at `openTime`. `undoable` keeps the state needed to take a
    /// later correction of this bar (warm-up skips it for all but the last bar it replays).
    mutating func apply(_ bar: PriceBar, openTime: Int64, undoable: Bool = true) -> Step {
        let corrected: Bool
        if let last = lastOpenTime, openTime <= last {
            guard openTime == last, let before = beforeLast else { return .stale }
            engines = before
            corrected = true
        } else {
            corrected = false
        }
        beforeLast = undoable ? engines : nil
        lastOpenTime = openTime
        var values: [String: Double] = [:]
        row.withUnsafeMutableBufferPointer { row in
            for i in engines.indices where engines[i].update(bar, into: row) {
                for (k, name) in columns[i].enumerated() { values[name] = row[k] }
            }
        }
        return corrected ? .correction(values) : .bar(values)
    }
}
