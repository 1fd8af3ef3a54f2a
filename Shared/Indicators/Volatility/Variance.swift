/// Population variance over `period` values, E[x²] − E[x]², from running sums of the values and of
/// their squares. Each sum gains the new term less the dropped one in one addition (as SMA does;
/// TA-Lib adds, reads, then subtracts: two additions per bar on the chain). The batch kernel does
/// the same arithmetic with the input column as its window.
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
    @inlinable @inline(__always)
    public mutating func moments(_ value: Double) -> (mean: Double, meanSquare: Double)? {
        let dropped = window.replace(with: value)
        sum += value - dropped
        sumOfSquares += value * value - dropped * dropped
        guard window.isFull else { return nil }
        let count = Double(period)
        return (sum / count, sumOfSquares / count)
    }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let (mean, meanSquare) = moments(value) else { return nil }
        return meanSquare - mean * mean
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        Self.run(values: values, period: period, into: columns[0]) { $0 }
    }

    /// The batch kernel: each window's variance, through `transform`, into `output`; NaN in warm-up.
    @inlinable @inline(__always)
    static func run(
        values: UnsafeBufferPointer<Double>, period: Int, into output: UnsafeMutablePointer<Double>,
        _ transform: (Double) -> Double
    ) {
        let count = Double(period)
        forEachWindowSums(values, period: period) { bar, sum, squares in
            let mean = sum / count
            output[bar] = transform(squares / count - mean * mean)
        }
        output.update(repeating: .nan, count: min(period - 1, values.count))
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
        variance.update(value).map(deviation)
    }

    @inlinable @inline(__always)
    func deviation(_ variance: Double) -> Double {
        isTALibZeroOrNegative(variance) ? 0 : variance.squareRoot() * deviations
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        Variance.run(values: values, period: variance.period, into: columns[0], deviation)
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
