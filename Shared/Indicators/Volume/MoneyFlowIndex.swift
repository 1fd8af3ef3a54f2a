/// Money flow index: 100 · positive flow / (positive + negative flow) over `period` bars, where a
/// bar's flow is typical price × volume, positive when the typical price rose. As TA-Lib 0.8.1
/// (`ta_MFI.c`): a change within 1e-14 of the two typical prices' magnitude is no change (five-decimal
/// FX bars make typical prices equal in decimals but a few ulps apart in binary); a window that
/// received no flow answers 0, whatever the flows' scale; after a whole period without flow the
/// sums restart from exactly zero; the positive sum is clamped into [0, total].
public struct MoneyFlowIndex: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var positive: RingBuffer
    @usableFromInline var negative: RingBuffer
    @usableFromInline var positiveSum = 0.0
    @usableFromInline var negativeSum = 0.0
    @usableFromInline var previousTypical = 0.0
    @usableFromInline var seen = 0
    /// Bars in a row that added no flow.
    @usableFromInline var emptyRun = 0

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
        let change = typical - previousTypical
        // TA_IS_ZERO_SCALED: |change| ≤ 1e-14 · (|typical| + |previous|), multiply then compare.
        let tie = abs(change) <= 1e-14 * (abs(typical) + abs(previousTypical))
        previousTypical = typical
        seen += 1
        if seen == 1 { return nil }
        if positive.isFull {
            positiveSum -= positive.oldest
            negativeSum -= negative.oldest
        }
        let flow = tie ? 0 : typical * bar.volume
        // Two selects, each on its own comparison (a change of exactly 0 is a tie, so its flow is
        // 0 either way): written as one `change < 0` with both arms, the compiler makes it a
        // branch on the direction of the price move, a coin flip (measured 2.8 → 9.3 ns a bar).
        let up = change > 0 ? flow : 0
        let down = change < 0 ? flow : 0
        positive.push(up)
        negative.push(down)
        positiveSum += up
        negativeSum += down
        // A period of empty bars leaves the ring all zeros: the sums are exactly zero, not residue.
        emptyRun = flow == 0 ? emptyRun + 1 : 0
        if emptyRun >= period {
            emptyRun = period
            positiveSum = 0
            negativeSum = 0
        }
        guard positive.isFull else { return nil }
        let total = positiveSum + negativeSum
        let clamped = positiveSum < 0 ? 0 : (positiveSum > total ? total : positiveSum)
        return total <= 0 ? 0 : 100.0 * (clamped / total)
    }
}
