/// Simple moving average: the mean of the last `period` values.
///
/// TA-Lib keeps a running total, adding the new value before dividing and removing the trailing one
/// after; doing the same, in the same order, gives the same rounding.
public struct SMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var total = 0.0

    public init(period: Int = 30) {
        precondition(period >= 1, "SMA period must be at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public var lookback: Int { period - 1 }

    @inlinable
    public mutating func update(_ value: Double) -> Double? {
        window.push(value)
        total += value
        guard window.isFull else { return nil }
        let mean = total / Double(period)
        total -= window.oldest
        return mean
    }
}
