/// Simple moving average: the mean of the last `period` values.
///
/// A running total that gains the new value less the one leaving, `total += value − dropped`: one
/// addition per bar on the critical path (TA-Lib's add-then-subtract is two). The batch kernel does
/// the same arithmetic with the input column as its window.
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

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        total += value - window.replace(with: value)
        guard window.isFull else { return nil }
        return total / Double(period)
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        Self.run(values: values, period: period, into: columns[0])
    }

    @inlinable
    static func run(values: UnsafeBufferPointer<Double>, period: Int, into output: UnsafeMutablePointer<Double>) {
        let divisor = Double(period)
        forEachWindowSums(values, period: period) { bar, total, _ in output[bar] = total / divisor }
        output.update(repeating: .nan, count: min(period - 1, values.count))
    }
}
