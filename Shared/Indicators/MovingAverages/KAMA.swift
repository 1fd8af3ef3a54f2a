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
    @usableFromInline var previous = 0.0
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
        let previous = seen > 0 ? self.previous : value
        self.previous = value
        seen += 1
        let dropped = window.replace(with: value)
        if seen <= period {
            if seen > 1 { pathLength += abs(value - previous) }
            return nil
        }
        // The close `period` bars ago; once the window is full, the step before it (from the value
        // just dropped) leaves the path.
        let trailing = window.oldest
        if seen > period + 1 { pathLength -= abs(dropped - trailing) }
        pathLength += abs(value - previous)
        if seen == period + 1 { kama = previous }
        kama = Self.step(kama, value: value, netMove: value - trailing, pathLength: pathLength)
        return kama
    }

    /// One bar of the average: the efficiency ratio sets the smoothing, the smoothing moves `kama`.
    @inlinable @inline(__always)
    static func step(_ kama: Double, value: Double, netMove: Double, pathLength: Double) -> Double {
        let efficiency = (pathLength <= netMove || isTALibZero(pathLength)) ? 1.0 : abs(netMove / pathLength)
        var smoothing = efficiency * span + slowest
        smoothing *= smoothing
        // x·sc + kama·(1 − sc): one multiply-add on the bar-to-bar chain, as in EMA.
        return (value * smoothing).addingProduct(kama, 1 - smoothing)
    }

    /// The batch kernel: the streaming arithmetic with the input column as the window.
    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        if period == 1 {
            if let start = values.baseAddress { output.update(from: start, count: values.count) }
            return
        }
        output.update(repeating: .nan, count: min(period, values.count))
        guard values.count > period else { return }
        var pathLength = 0.0
        for bar in 1..<period { pathLength += abs(values[bar] - values[bar - 1]) }
        // The first value starts from the previous close.
        var kama = values[period - 1]
        pathLength += abs(values[period] - values[period - 1])
        kama = Self.step(kama, value: values[period], netMove: values[period] - values[0], pathLength: pathLength)
        output[period] = kama
        var bar = period + 1
        while bar < values.count {
            let value = values[bar]
            let trailing = values[bar - period]
            pathLength -= abs(values[bar - period - 1] - trailing)
            pathLength += abs(value - values[bar - 1])
            kama = Self.step(kama, value: value, netMove: value - trailing, pathLength: pathLength)
            output[bar] = kama
            bar += 1
        }
    }
}
