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
