/// Kaufman adaptive moving average. The efficiency ratio |close − close[period ago]| / Σ|Δclose| over
/// the period scales the smoothing between EMA(2) and EMA(30): sc = (er · (2/3 − 2/31) + 2/31)².
///
/// As in TA-Lib the first value comes at bar `period`, starting from the previous close; a zero
/// path length (or a net move not below it) counts as fully efficient.
public struct KAMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var seen = 0
    @usableFromInline var pathLength = 0.0
    @usableFromInline var kama = 0.0
    @usableFromInline static let slowest = 2.0 / (30.0 + 1.0)
    @usableFromInline static let span = 2.0 / (2.0 + 1.0) - slowest

    public init(period: Int = 30) {
        precondition(period >= 1, "KAMA period must be at least 1")
        self.period = period
        // The window spans period + 1 closes: the net move compares the ends.
        window = RingBuffer(capacity: period + 1)
    }

    public var lookback: Int { period == 1 ? 0 : period }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        if period == 1 { return value }
        let previous = seen > 0 ? window[age: 0] : value
        seen += 1
        if seen <= period {
            if seen > 1 { pathLength += abs(value - previous) }
            window.push(value)
            return nil
        }
        // The close `period` bars ago; once the window is full, the step before it leaves the path.
        let trailing = window[age: period - 1]
        if seen > period + 1 {
            pathLength -= abs(window.oldest - trailing)
        }
        pathLength += abs(value - previous)
        window.push(value)
        if seen == period + 1 { kama = previous }
        let netMove = value - trailing
        let efficiency = (pathLength <= netMove || isTALibZero(pathLength)) ? 1.0 : abs(netMove / pathLength)
        var smoothing = efficiency * Self.span + Self.slowest
        smoothing *= smoothing
        kama = (value - kama) * smoothing + kama
        return kama
    }
}
