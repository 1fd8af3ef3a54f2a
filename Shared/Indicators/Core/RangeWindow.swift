/// The highest high and lowest low over the last `period` bars. Behind STOCH, WILLR, MIDPRICE and
/// MIDPOINT. The streaming form of the block scheme (`BlockExtreme`): the current block's highs and
/// lows are kept in cells at their offset in the block, one position for both (two ring buffers,
/// each advancing its own, cost a tenth of a bar's time more).
public struct RangeWindow: Sendable, Hashable {
    public let period: Int
    @usableFromInline var highs: WindowCells
    @usableFromInline var lows: WindowCells
    /// Where the next bar goes in the current block.
    @usableFromInline var offset = 0
    /// Bars taken, up to `period`.
    @usableFromInline var seen = 0
    @usableFromInline var highest: BlockExtreme<Highest>
    @usableFromInline var lowest: BlockExtreme<Lowest>

    public init(period: Int) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        highs = WindowCells(capacity: period)
        lows = WindowCells(capacity: period)
        highest = BlockExtreme(window: period)
        lowest = BlockExtreme(window: period)
    }

    /// Returns the extremes once `period` bars have been seen.
    @inlinable @inline(__always)
    public mutating func push(high: Double, low: Double) -> (high: Double, low: Double)? {
        take(high: high, low: low, oneSeries: false)
    }

    /// The extremes of one series (MIDPOINT): its values are kept once, both extremes read them.
    @inlinable @inline(__always)
    public mutating func push(_ value: Double) -> (high: Double, low: Double)? {
        take(high: value, low: value, oneSeries: true)
    }

    @inlinable @inline(__always)
    mutating func take(high: Double, low: Double, oneSeries: Bool) -> (high: Double, low: Double)? {
        let offset = offset
        if offset == 0 && seen == period {
            if oneSeries {
                highs.withMutableCells { BlockExtreme<Highest>.closeBlocks(&highest, &lowest, $0) }
            } else {
                highs.withMutableCells { highest.closeBlock($0) }
                lows.withMutableCells { lowest.closeBlock($0) }
            }
        }
        highs.store(high, at: offset)
        if !oneSeries { lows.store(low, at: offset) }
        let extremes = (high: highest.push(high, offset: offset), low: lowest.push(low, offset: offset))
        self.offset = offset + 1 == period ? 0 : offset + 1
        if seen < period { seen += 1 }
        guard seen == period else { return nil }
        return extremes
    }
}

/// `RangeWindow` for the batch form: the highest high and lowest low of the window ending at each bar
/// from `first` on (the bars before it taken in), read from the input columns block by block, the
/// blocks' bars in an inner loop with nothing to test, each block's suffix extremes taken at its end.
@inlinable @inline(__always)
func forEachRange(
    high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>, period: Int, from first: Int,
    _ body: (_ bar: Int, _ highest: Double, _ lowest: Double) -> Void
) {
    let count = high.count
    var highest = BlockExtreme<Highest>(window: period)
    var lowest = BlockExtreme<Lowest>(window: period)
    var start = 0
    while start < count {
        let end = min(start + period, count)
        var bar = start
        while bar < min(first, end) {
            _ = highest.push(high[bar], offset: bar - start)
            _ = lowest.push(low[bar], offset: bar - start)
            bar += 1
        }
        while bar < end {
            body(bar, highest.push(high[bar], offset: bar - start), lowest.push(low[bar], offset: bar - start))
            bar += 1
        }
        if end - start == period {
            if high.baseAddress == low.baseAddress {
                BlockExtreme<Highest>.closeBlocks(&highest, &lowest, high.baseAddress! + start)
            } else {
                highest.closeBlock(high.baseAddress! + start)
                lowest.closeBlock(low.baseAddress! + start)
            }
        }
        start = end
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
    let output = columns[0]
    output.update(repeating: .nan, count: min(lookback, high.count))
    forEachRange(high: high, low: low, period: period, from: lookback) { bar, highest, lowest in
        output[bar] = value(bar, highest, lowest)
    }
}
