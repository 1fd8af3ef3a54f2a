/// Population variance over `period` values, E[x²] − E[x]², from running sums updated in TA-Lib's
/// order (add the new value, read, remove the trailing one) so the rounding is TA-Lib's too.
public struct Variance: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var sum = 0.0
    @usableFromInline var sumOfSquares = 0.0

    public init(period: Int = 5) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public var lookback: Int { period - 1 }

    /// The window's mean and mean square, once `period` values have been seen.
    @inlinable
    public mutating func moments(_ value: Double) -> (mean: Double, meanSquare: Double)? {
        window.push(value)
        sum += value
        sumOfSquares += value * value
        guard window.isFull else { return nil }
        let count = Double(period)
        let moments = (sum / count, sumOfSquares / count)
        let trailing = window.oldest
        sum -= trailing
        sumOfSquares -= trailing * trailing
        return moments
    }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let (mean, meanSquare) = moments(value) else { return nil }
        return meanSquare - mean * mean
    }
}

/// Population standard deviation times `deviations`; 0 where the variance is not positive.
public struct StandardDeviation: ValueIndicator, Hashable {
    public typealias Output = Double

    public let deviations: Double
    @usableFromInline var variance: Variance

    public init(period: Int = 5, deviations: Double = 1) {
        self.deviations = deviations
        variance = Variance(period: period)
    }

    public var lookback: Int { variance.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let variance = variance.update(value) else { return nil }
        return isTALibZeroOrNegative(variance) ? 0 : variance.squareRoot() * deviations
    }
}

/// Bollinger bands: middle = moving average, upper/lower = middle ± k · population standard
/// deviation of the same window (the deviation is always about the simple mean, as in TA-Lib).
/// Outputs (upper, middle, lower).
public struct BollingerBands: ValueIndicator, Hashable {
    public typealias Output = Triple

    public let up: Double
    public let down: Double
    @usableFromInline var middle: MovingAverage
    @usableFromInline var variance: Variance

    public init(period: Int = 20, up: Double = 2, down: Double = 2, type: MovingAverageType = .sma) {
        self.up = up
        self.down = down
        middle = MovingAverage(type, period: period)
        variance = Variance(period: period)
    }

    public var lookback: Int { max(middle.lookback, variance.lookback) }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Triple? {
        let centre = middle.update(value)
        guard let (mean, meanSquare) = variance.moments(value), let centre else { return nil }
        // With an SMA middle TA-Lib takes the deviation around the middle band itself; the mean here
        // is that same number.
        let spread = meanSquare - mean * mean
        let deviation = isTALibZeroOrNegative(spread) ? 0 : spread.squareRoot()
        return Triple(centre + deviation * up, centre, centre - deviation * down)
    }
}
