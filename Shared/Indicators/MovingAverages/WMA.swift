/// Weighted moving average: weights 1…period, newest heaviest, divided by period·(period+1)/2.
///
/// O(1): the weighted sum gains `period · value` and loses the plain sum of the previous window, in
/// TA-Lib's order. The batch kernel does the same arithmetic with the input column as its window.
public struct WMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var plainSum = 0.0
    @usableFromInline var weightedSum = 0.0
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
        // TA-Lib drops the trailing value from the plain sum after each output; dropping it before
        // the next one, when the ring hands it back, is the same arithmetic (0 while filling).
        plainSum -= window.replace(with: value)
        plainSum += value
        // The i-th value (1-based) weighs i during warm-up, `period` after.
        weightedSum += value * Double(window.count)
        guard window.isFull else { return nil }
        let average = weightedSum / divider
        // Shift every weight down by one for the next bar.
        weightedSum -= plainSum
        return average
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        let warmUp = min(period - 1, values.count)
        var plainSum = 0.0
        var weightedSum = 0.0
        for bar in 0..<warmUp {
            plainSum += values[bar]
            weightedSum += values[bar] * Double(bar + 1)
        }
        let weight = Double(period)
        var bar = warmUp
        while bar < values.count {
            let value = values[bar]
            plainSum += value
            weightedSum += value * weight
            output[bar] = weightedSum / divider
            weightedSum -= plainSum
            plainSum -= values[bar - period + 1]
            bar += 1
        }
        output.update(repeating: .nan, count: warmUp)
    }
}
