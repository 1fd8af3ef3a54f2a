/// Population variance over `period` values, computed per window in two passes: the mean, then
/// the mean of squared deviations from it, each summed oldest to newest. TA-Lib 0.8.1 (the release
/// the golden files come from) computes the variance this accurately: the running E[x²] − E[x]² of
/// earlier releases cancels catastrophically when the spread is tiny against the price (prices
/// around 1e-5, or five-decimal FX), and was off by 1e-7 relative there, or zero where TA-Lib has a
/// value. The batch kernel reads each window from the input column in the same order, so batch and
/// streaming agree bit for bit. It costs two passes over the window per bar instead of two running
/// sums (see the indicators bench).
public struct Variance: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer

    public init(period: Int = 5) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public var lookback: Int { period - 1 }

    /// The window's mean and population variance, once `period` values have been seen.
    @inlinable @inline(__always)
    public mutating func moments(_ value: Double) -> (mean: Double, variance: Double)? {
        window.push(value)
        guard window.isFull else { return nil }
        var window = self.window
        let last = period - 1
        return Self.moments(count: period) { window[age: last - $0] }
    }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        moments(value)?.variance
    }

    /// Mean and population variance of `count` values given oldest first by `value(i)`.
    @inlinable @inline(__always)
    static func moments(count: Int, _ value: (Int) -> Double) -> (mean: Double, variance: Double) {
        var sum = 0.0
        for i in 0..<count { sum += value(i) }
        let n = Double(count)
        let mean = sum / n
        var squares = 0.0
        for i in 0..<count {
            let deviation = value(i) - mean
            squares += deviation * deviation
        }
        return (mean, squares / n)
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
        if values.count >= period {
            for bar in (period - 1)..<values.count {
                let first = bar - period + 1
                output[bar] = transform(moments(count: period) { values[first + $0] }.variance)
            }
        }
        output.update(repeating: .nan, count: min(period - 1, values.count))
    }
}

/// Population standard deviation times `deviations`; 0 where the variance is not positive (TA-Lib
/// 0.8.1 takes the root of any positive variance, however small).
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
        variance > 0 ? variance.squareRoot() * deviations : 0
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
        guard let (_, spread) = variance.moments(value), let centre else { return nil }
        // The deviation about the window's simple mean (with an SMA middle, the middle band itself).
        let deviation = spread > 0 ? spread.squareRoot() : 0
        return Triple(centre + deviation * up, centre, centre - deviation * down)
    }
}
