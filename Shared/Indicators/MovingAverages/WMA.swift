/// Weighted moving average: weights 1…period, newest heaviest, divided by period·(period+1)/2.
///
/// O(1): the weighted sum gains `period · value` and loses the plain sum of the previous window.
public struct WMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var plainSum = 0.0
    @usableFromInline var weightedSum = 0.0
    @usableFromInline var seen = 0
    @usableFromInline let divider: Double

    public init(period: Int = 30) {
        precondition(period >= 1, "WMA period must be at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
        divider = Double(period * (period + 1)) / 2
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        if seen < period - 1 {
            // Warm-up: the i-th value (1-based) weighs i.
            seen += 1
            window.push(value)
            plainSum += value
            weightedSum += value * Double(seen)
            return nil
        }
        window.push(value)
        plainSum += value
        weightedSum += value * Double(period)
        let average = weightedSum / divider
        // Shift every weight down by one for the next bar and drop the trailing value.
        weightedSum -= plainSum
        plainSum -= window.oldest
        return average
    }
}
