/// The highest high and lowest low over the last `period` bars. Behind STOCH, WILLR, MIDPRICE and
/// MIDPOINT. The streaming form of the block scheme (`BlockExtreme`): the current block's highs and
/// lows are kept in ring buffers whose laps are the blocks (their storage order is the block's order).
public struct RangeWindow: Sendable, Hashable {
    public let period: Int
    @usableFromInline var highs: RingBuffer
    @usableFromInline var lows: RingBuffer
    @usableFromInline var highest: BlockExtreme<Highest>
    @usableFromInline var lowest: BlockExtreme<Lowest>

    public init(period: Int) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        highs = RingBuffer(capacity: period)
        lows = RingBuffer(capacity: period)
        highest = BlockExtreme(window: period)
        lowest = BlockExtreme(window: period)
    }

    /// Returns the extremes once `period` bars have been seen.
    @inlinable @inline(__always)
    public mutating func push(high: Double, low: Double) -> (high: Double, low: Double)? {
        if highs.completedLap {
            highs.withValues { highest.closeBlock($0.baseAddress!) }
            lows.withValues { lowest.closeBlock($0.baseAddress!) }
        }
        let offset = highs.head
        highs.push(high)
        lows.push(low)
        let extremes = (high: highest.push(high, offset: offset), low: lowest.push(low, offset: offset))
        guard highs.isFull else { return nil }
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
            highest.closeBlock(high.baseAddress! + start)
            lowest.closeBlock(low.baseAddress! + start)
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
