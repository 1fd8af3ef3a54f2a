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

/// The running total of the last `period` values of a column, for each bar from `period − 1` on,
/// as the streaming forms keep it: `total += value − dropped`, the dropped value 0 while filling.
@inlinable @inline(__always)
func forEachWindowSum(
    _ values: UnsafeBufferPointer<Double>, period: Int, _ body: (_ bar: Int, _ total: Double) -> Void
) {
    var total = 0.0
    var bar = 0
    while bar < min(period, values.count) {
        total += values[bar] - 0.0  // what the streaming form adds while filling (same bits)
        if bar == period - 1 { body(bar, total) }
        bar += 1
    }
    while bar < values.count {
        total += values[bar] - values[bar - period]
        body(bar, total)
        bar += 1
    }
}
