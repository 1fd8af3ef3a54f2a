/// APO and PPO: the difference of a fast and a slow average, absolute or as a percentage of the slow.
/// Both averages start on the first bar (unlike MACD's).
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
            fast: MovingAverage(type, period: min(fast, slow)), slow: MovingAverage(type, period: max(fast, slow)),
            alignStarts: false)
    }

    public var lookback: Int { averages.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let (fast, slow) = averages.update(value) else { return nil }
        switch form {
        case .absolute: return fast - slow
        case .percentage: return isTALibZero(slow) ? 0 : ((fast - slow) / slow) * 100.0
        }
    }
}
