/// A fast and a slow average of the same series that give their first values on the same bar.
///
/// TA-Lib asks both for output from the slow one's first bar, and an average asked to start late
/// begins its own warm-up `lookback` bars before that bar. So the fast EMA of MACD(12, 26, 9) is
/// seeded with the mean of closes 14…25, not 0…11: the fast average here skips the first
/// (slow lookback − fast lookback) values. Used by MACD, MACDEXT, APO and PPO.
public struct AlignedAverages<Fast: ValueIndicator, Slow: ValueIndicator>: Sendable, Hashable
where Fast.Output == Double, Slow.Output == Double, Fast: Hashable, Slow: Hashable {

    @usableFromInline var fast: Fast
    @usableFromInline var slow: Slow
    @usableFromInline let fastDelay: Int
    @usableFromInline let slowDelay: Int
    @usableFromInline var seen = 0

    public init(fast: Fast, slow: Slow) {
        self.fast = fast
        self.slow = slow
        let longest = max(fast.lookback, slow.lookback)
        fastDelay = longest - fast.lookback
        slowDelay = longest - slow.lookback
    }

    public var lookback: Int { max(fast.lookback, slow.lookback) }

    @inlinable
    public mutating func update(_ value: Double) -> (fast: Double, slow: Double)? {
        let index = seen
        seen += 1
        let fastValue = index >= fastDelay ? fast.update(value) : nil
        let slowValue = index >= slowDelay ? slow.update(value) : nil
        guard let fastValue, let slowValue else { return nil }
        return (fastValue, slowValue)
    }
}

/// APO and PPO: the difference of a fast and a slow average, absolute or as a percentage of the slow.
public struct PriceOscillator: ValueIndicator, Hashable {
    public typealias Output = Double

    public enum Form: Sendable, Hashable {
        /// APO: fast − slow.
        case absolute
        /// PPO: (fast − slow) / slow · 100; 0 when the slow average is zero.
        case percentage
    }

    public let form: Form
    @usableFromInline var averages: AlignedAverages<MovingAverage, MovingAverage>

    /// Periods are swapped if `slow` < `fast`, as TA-Lib does.
    public init(_ form: Form, fast: Int = 12, slow: Int = 26, type: MovingAverageType = .ema) {
        self.form = form
        averages = AlignedAverages(
            fast: MovingAverage(type, period: min(fast, slow)), slow: MovingAverage(type, period: max(fast, slow)))
    }

    public var lookback: Int { averages.lookback }

    @inlinable
    public mutating func update(_ value: Double) -> Double? {
        guard let (fast, slow) = averages.update(value) else { return nil }
        switch form {
        case .absolute: return fast - slow
        case .percentage: return isTALibZero(slow) ? 0 : ((fast - slow) / slow) * 100.0
        }
    }
}
