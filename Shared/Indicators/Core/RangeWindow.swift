/// The highest high and lowest low over the last `period` bars. Behind STOCH, WILLR, MIDPRICE and
/// MIDPOINT.
public struct RangeWindow: Sendable, Hashable {
    public let period: Int
    @usableFromInline var highest: WindowExtreme<Highest>
    @usableFromInline var lowest: WindowExtreme<Lowest>
    @usableFromInline var seen = 0

    public init(period: Int) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        highest = WindowExtreme(window: period)
        lowest = WindowExtreme(window: period)
    }

    /// Returns the extremes once `period` bars have been seen.
    @inlinable @inline(__always)
    public mutating func push(high: Double, low: Double) -> (high: Double, low: Double)? {
        let top = highest.push(high)
        let bottom = lowest.push(low)
        guard seen >= period - 1 else {
            seen += 1
            return nil
        }
        return (top, bottom)
    }
}

/// `RangeWindow` for the batch form: the highest high and lowest low of the window ending at a bar,
/// read from the input columns.
@usableFromInline
struct ColumnRange {
    @usableFromInline var highest: ColumnExtreme<Highest>
    @usableFromInline var lowest: ColumnExtreme<Lowest>

    /// Ready to advance to bar `first`.
    @inlinable
    init(high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>, period: Int, from first: Int) {
        highest = ColumnExtreme(high, window: period, from: first)
        lowest = ColumnExtreme(low, window: period, from: first)
    }

    @inlinable @inline(__always)
    mutating func advance(to bar: Int) -> (high: Double, low: Double) {
        (highest.advance(to: bar), lowest.advance(to: bar))
    }
}

/// The batch kernel of an indicator of the range alone (MIDPOINT, MIDPRICE, WILLR): NaN through the
/// warm-up, then `value(bar, highest, lowest)` into the one output column.
@inlinable @inline(__always)
func runOverRange(
    high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>, period: Int,
    into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>,
    _ value: (_ bar: Int, _ highest: Double, _ lowest: Double) -> Double
) {
    let lookback = period - 1
    var window = ColumnRange(high: high, low: low, period: period, from: lookback)
    let output = columns[0]
    forEachWarmBar(count: high.count, lookback: lookback, columns: columns) { bar in
        let extremes = window.advance(to: bar)
        output[bar] = value(bar, extremes.high, extremes.low)
    }
}
