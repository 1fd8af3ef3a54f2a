/// Commodity channel index: (tp − mean) / (0.015 · mean deviation) over the last `period` typical
/// prices tp = (high + low + close) / 3; 0 when either term is zero (to TA-Lib's scaled epsilon).
///
/// The mean deviation needs the whole window, so an update costs O(period), as in TA-Lib; the
/// mean is re-summed too rather than kept running, so long streams do not drift.
public struct CCI: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var window: RingBuffer

    public init(period: Int = 14) {
        precondition(period >= 2, "CCI period must be at least 2")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let typical = (bar.high + bar.low + bar.close) / 3
        window.push(typical)
        guard window.isFull else { return nil }
        let count = Double(period)
        return window.withValues { values in
            var mean = 0.0
            for value in values { mean += value }
            mean /= count
            var deviation = 0.0
            for value in values { deviation += abs(value - mean) }
            deviation /= count
            let distance = typical - mean
            // Both terms are differences of prices near the mean: zero within TA-Lib's scaled epsilon.
            let scale = abs(mean)
            guard !isTALibZero(distance, scale: scale) && !isTALibZero(deviation, scale: scale) else { return 0 }
            return distance / (0.015 * deviation)
        }
    }
}
