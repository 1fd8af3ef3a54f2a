/// Triangular moving average: weights rising 1, 2, … to the middle of the window and falling back.
///
/// Computed as an SMA of an SMA, which has exactly those weights: for an odd period n both SMAs span
/// (n+1)/2 values; for an even one they span n/2 and n/2 + 1.
public struct TRIMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var inner: SMA
    @usableFromInline var outer: SMA

    public init(period: Int = 30) {
        precondition(period >= 1, "TRIMA period must be at least 1")
        self.period = period
        if period % 2 == 1 {
            inner = SMA(period: (period + 1) / 2)
            outer = SMA(period: (period + 1) / 2)
        } else {
            inner = SMA(period: period / 2 + 1)
            outer = SMA(period: period / 2)
        }
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let average = inner.update(value) else { return nil }
        return outer.update(average)
    }

    /// The batch form: the inner SMA into a scratch column, the outer one over its warm part.
    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        output.update(repeating: .nan, count: values.count)
        let first = inner.lookback
        guard values.count > first else { return }
        let averages = UnsafeMutableBufferPointer<Double>.allocate(capacity: values.count)
        defer { averages.deallocate() }
        SMA.run(values: values, period: inner.period, into: averages.baseAddress!)
        SMA.run(
            values: UnsafeBufferPointer(rebasing: averages[first...]), period: outer.period, into: output + first)
    }
}
