/// Exponential moving average, TA-Lib's way: seeded with the SMA of the first `period` values,
/// then `ema += (value − ema) · k` with k = 2 / (period + 1) unless a fixed `k` is given (MACDFIX).
public struct EMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline let k: Double
    @usableFromInline var seen = 0
    @usableFromInline var value = 0.0

    public init(period: Int = 30, k: Double? = nil) {
        precondition(period >= 1, "EMA period must be at least 1")
        self.period = period
        self.k = k ?? 2.0 / Double(period + 1)
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ input: Double) -> Double? {
        if seen >= period {
            value = value.addingProduct(input - value, k)
            return value
        }
        seen += 1
        value += input
        guard seen == period else { return nil }
        value /= Double(period)
        return value
    }
}
