/// The frame of a batch kernel: NaN in the warm-up cells of every column, then `body` for each bar
/// from `lookback` on.
@inlinable @inline(__always)
func forEachWarmBar(
    count: Int, lookback: Int, columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>,
    _ body: (Int) -> Void
) {
    for column in columns { column.update(repeating: .nan, count: min(lookback, count)) }
    var bar = lookback
    while bar < count {
        body(bar)
        bar += 1
    }
}

/// The running sums of the last `period` values of a column and of their squares, for each bar from
/// `period − 1` on, as the streaming forms keep them: `sum += value − dropped` and
/// `squares += value² − dropped²`, the dropped value 0 while filling. One addition per bar on each
/// chain. A caller that ignores the squares does not pay for them (dead code to the optimizer).
@inlinable @inline(__always)
func forEachWindowSums(
    _ values: UnsafeBufferPointer<Double>, period: Int,
    _ body: (_ bar: Int, _ sum: Double, _ squares: Double) -> Void
) {
    var sum = 0.0
    var squares = 0.0
    var bar = 0
    while bar < min(period, values.count) {
        let value = values[bar]
        // What the streaming form adds while filling, its dropped value 0 (same bits).
        sum += value - 0.0
        squares += value * value - 0.0 * 0.0
        if bar == period - 1 { body(bar, sum, squares) }
        bar += 1
    }
    while bar < values.count {
        let value = values[bar]
        let dropped = values[bar - period]
        sum += value - dropped
        squares += value * value - dropped * dropped
        body(bar, sum, squares)
        bar += 1
    }
}
