import Indicators

/// The streaming state of every indicator configured on one series, fed one closed bar at a time.
///
/// Indicators are the union of the series' sets, each computed once (`rsi` and `rsi:14` are the same
/// column). A correction of the last bar (a late tick changed it) is applied by restoring the state
/// from before that bar and feeding the corrected one: the indicators are value types, so keeping
/// that state is a copy.
struct SeriesComputer: Sendable {
    private var state: IndicatorRow
    /// The state before the last bar, kept while `undoable`.
    private var beforeLast: IndicatorRow?
    private(set) var lastOpenTime: Int64?

    /// A fresh state for the union of `sets`' indicators.
    init(sets: [[ConfiguredIndicator]]) {
        var seen = Set<String>()
        var union: [ConfiguredIndicator] = []
        for indicator in sets.joined() where seen.insert(indicator.columnStem).inserted { union.append(indicator) }
        state = IndicatorRow(union)
    }

    var indicators: [ConfiguredIndicator] { state.indicators }

    /// Every column name, in indicator order.
    var columnNames: [String] { state.columnNames }

    /// Feeds the closed bar that opened at `openTime`: its warm outputs by column name, and whether
    /// it replaced the last bar (a correction); nil for a bar older than the last, which changes
    /// nothing. `undoable` keeps the state needed to take a later correction of this bar (warm-up
    /// skips it for all but the last bar it replays).
    mutating func apply(_ bar: PriceBar, openTime: Int64, undoable: Bool = true) -> (values: [String: Double], correction: Bool)? {
        let corrected: Bool
        if let last = lastOpenTime, openTime <= last {
            guard openTime == last, let before = beforeLast else { return nil }
            state = before
            corrected = true
        } else {
            corrected = false
        }
        beforeLast = undoable ? state : nil
        lastOpenTime = openTime
        return (state.update(bar), corrected)
    }
}
