/// A fast and a slow average of the same series that give their first values on the same bar.
///
/// TA-Lib asks both for output from the slow one's first bar, and an average asked to start late
/// begins its own warm-up `lookback` bars before that bar. So the fast EMA of MACD(12, 26, 9) is
/// seeded with the mean of closes 14…25, not 0…11: the fast average here skips the first
/// (slow lookback − fast lookback) values. Used by MACD and MACDEXT; APO and PPO, which TA-Lib
/// starts differently, turn the alignment off.
public struct AlignedAverages<Fast: ValueIndicator, Slow: ValueIndicator>: Sendable, Hashable
where Fast.Output == Double, Slow.Output == Double, Fast: Hashable, Slow: Hashable {

    @usableFromInline var fast: Fast
    @usableFromInline var slow: Slow
    @usableFromInline let fastDelay: Int
    @usableFromInline let slowDelay: Int
    @usableFromInline var seen = 0

    /// With `alignStarts` false both averages start on the first bar (TA-Lib's APO and PPO do
    /// that), and the pair is ready when the slower one is.
    public init(fast: Fast, slow: Slow, alignStarts: Bool = true) {
        self.fast = fast
        self.slow = slow
        let longest = max(fast.lookback, slow.lookback)
        fastDelay = alignStarts ? longest - fast.lookback : 0
        slowDelay = alignStarts ? longest - slow.lookback : 0
    }

    public var lookback: Int { max(fast.lookback, slow.lookback) }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> (fast: Double, slow: Double)? {
        let index = seen
        seen += 1
        let fastValue = index >= fastDelay ? fast.update(value) : nil
        let slowValue = index >= slowDelay ? slow.update(value) : nil
        guard let fastValue, let slowValue else { return nil }
        return (fastValue, slowValue)
    }
}
