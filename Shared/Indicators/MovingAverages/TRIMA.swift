/// Triangular moving average: weights rising 1, 2, … to the middle of the window and falling back.
///
/// A window sum of window sums has exactly those weights: for an odd period n both windows span
/// (n+1)/2 values; for an even one the inner spans n/2 + 1 and the outer n/2. The sums run as SMA's
/// do (`sum += value − dropped`); the result is the outer sum times 1 / (inner · outer), a
/// multiplication as in TA-Lib (a division per bar would bound the loop). The batch kernel runs the
/// two sums as two passes over the input column and a scratch column of inner sums.
public struct TRIMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var values: RingBuffer
    @usableFromInline var innerSums: RingBuffer
    @usableFromInline var innerSum = 0.0
    @usableFromInline var outerSum = 0.0
    @usableFromInline let scale: Double

    public init(period: Int = 30) {
        precondition(period >= 1, "TRIMA period must be at least 1")
        self.period = period
        let inner = period % 2 == 1 ? (period + 1) / 2 : period / 2 + 1
        let outer = period - inner + 1
        values = RingBuffer(capacity: inner)
        innerSums = RingBuffer(capacity: outer)
        scale = 1.0 / Double(inner * outer)
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        innerSum += value - values.replace(with: value)
        guard values.isFull else { return nil }
        outerSum += innerSum - innerSums.replace(with: innerSum)
        guard innerSums.isFull else { return nil }
        return outerSum * scale
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        output.update(repeating: .nan, count: min(lookback, values.count))
        let (inner, outer) = (self.values.capacity, innerSums.capacity)
        guard values.count > lookback else { return }
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: values.count)
        defer { sums.deallocate() }
        forEachWindowSums(values, period: inner) { bar, sum, _ in sums[bar] = sum }
        let scale = scale
        let first = inner - 1
        forEachWindowSums(UnsafeBufferPointer(rebasing: sums[first...]), period: outer) { index, sum, _ in
            output[first + index] = sum * scale
        }
    }
}
