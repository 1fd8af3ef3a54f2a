/// Money flow index: 100 · positive flow / (positive + negative flow) over `period` bars, where a
/// bar's flow is typical price × volume, positive when the typical price rose. TA-Lib answers 0
/// while the total flow is below 1.
public struct MoneyFlowIndex: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var positive: RingBuffer
    @usableFromInline var negative: RingBuffer
    @usableFromInline var positiveSum = 0.0
    @usableFromInline var negativeSum = 0.0
    @usableFromInline var previousTypical = 0.0
    @usableFromInline var seen = 0

    public init(period: Int = 14) {
        precondition(period >= 2, "MFI period must be at least 2")
        self.period = period
        positive = RingBuffer(capacity: period)
        negative = RingBuffer(capacity: period)
    }

    public var lookback: Int { period }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let typical = (bar.high + bar.low + bar.close) / 3.0
        defer { previousTypical = typical }
        seen += 1
        if seen == 1 { return nil }
        if positive.isFull {
            positiveSum -= positive.oldest
            negativeSum -= negative.oldest
        }
        let change = typical - previousTypical
        let flow = typical * bar.volume
        let up = change > 0 ? flow : 0
        let down = change < 0 ? flow : 0
        positive.push(up)
        negative.push(down)
        positiveSum += up
        negativeSum += down
        guard positive.isFull else { return nil }
        let total = positiveSum + negativeSum
        return total < 1.0 ? 0 : 100.0 * (positiveSum / total)
    }
}
