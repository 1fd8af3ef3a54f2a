import Indicators

/// The streaming state of every indicator configured on one series, fed one closed bar at a time.
///
/// Indicators are the union of the series' sets, each computed once (`rsi` and `rsi:14` are the same
/// column). A correction of the last bar (a late tick changed it) is applied by restoring the state
/// from before that bar and feeding the corrected one: the indicators are value types, so keeping
/// that state is a copy.
struct SeriesComputer: Sendable {
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

    /// Feeds the closed bar that opened at `openTime`: its warm outputs by column name, and whether
    /// it replaced the last bar (a correction); nil for a bar older than the last, which changes
    /// nothing. `undoable` keeps the state needed to take a later correction of this bar (warm-up
    /// skips it for all but the last bar it replays).
    mutating func apply(_ bar: PriceBar, openTime: Int64, undoable: Bool = true) -> (values: [String: Double], correction: Bool)? {
        let corrected: Bool
        if let last = lastOpenTime, openTime <= last {
            guard openTime == last, let before = beforeLast else { return nil }
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
        return (values, corrected)
    }
}
