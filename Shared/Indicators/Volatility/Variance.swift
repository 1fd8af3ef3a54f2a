/// Population variance over `period` values from running sums of the values' deviations from an
/// anchor, and of their squares: var = E[d²] − E[d]², d = x − anchor. Every `period` bars (where the
/// ring completes a lap) the anchor moves to the window's mean and both sums are taken afresh over
/// the window, oldest first, so they hold deviations that are small against the price and carry no
/// rounding older than one window.
///
/// TA-Lib 0.8.1 (the release the golden files come from) computes the variance this accurately: the
/// running E[x²] − E[x]² of earlier releases cancels catastrophically when the spread is tiny against
/// the price (prices around 1e-5, five-decimal FX) and was off by 1e-7 relative there, or zero where
/// TA-Lib has a value. This form agrees with TA-Lib 0.8.1 to ~1e-11 relative on every golden series
/// (exactly on constant and flat stretches) at O(1) a bar. The batch kernel does the same
/// arithmetic with the input column as its window, bit for bit.
public struct Variance: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var window: RingBuffer
    @usableFromInline var anchor = 0.0
    @usableFromInline var sum = 0.0
    @usableFromInline var sumOfSquares = 0.0
    /// 1 / period: two multiplies a bar instead of two divisions (which cost more than the rest).
    @usableFromInline let inverseCount: Double

    public init(period: Int = 5) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        window = RingBuffer(capacity: period)
        inverseCount = 1 / Double(period)
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        let full = window.isFull
        let dropped = window.replace(with: value)
        Self.slide(sum: &sum, squares: &sumOfSquares, added: value - anchor, removed: full ? dropped - anchor : 0)
        if window.completedLap {
            // The lap ended at the last cell: storage order is oldest first.
            let period = period
            (anchor, sum, sumOfSquares) = window.withValues { cells in Self.reanchor(anchor, sum, period: period) { cells[$0] } }
        }
        guard window.isFull else { return nil }
        return Self.variance(sum: sum, squares: sumOfSquares, inverseCount: inverseCount)
    }

    /// The sums moved on by one bar: `added` and `removed` are deviations from the anchor.
    @inlinable @inline(__always)
    static func slide(sum: inout Double, squares: inout Double, added: Double, removed: Double) {
        sum += added - removed
        squares += added * added - removed * removed
    }

    /// The anchor moved to the window's mean and the sums taken afresh about it; `value(i)` reads
    /// the window oldest first.
    @inlinable @inline(__always)
    static func reanchor(_ anchor: Double, _ sum: Double, period: Int, _ value: (Int) -> Double) -> (Double, Double, Double) {
        let anchor = anchor + sum / Double(period)
        var fresh = 0.0
        var squares = 0.0
        for i in 0..<period {
            let deviation = value(i) - anchor
            fresh += deviation
            squares += deviation * deviation
        }
        return (anchor, fresh, squares)
    }

    @inlinable @inline(__always)
    static func variance(sum: Double, squares: Double, inverseCount: Double) -> Double {
        let mean = sum * inverseCount
        return squares * inverseCount - mean * mean
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        Self.run(values: values, period: period, into: columns[0]) { $0 }
    }

    /// The batch kernel: each window's variance, through `transform`, into `output`; NaN in warm-up.
    /// Lap by lap, as the streaming form's ring goes: the sums slide within a lap and are taken
    /// afresh about a new anchor at its last bar; no branch inside a lap.
    @inlinable @inline(__always)
    static func run(
        values: UnsafeBufferPointer<Double>, period: Int, into output: UnsafeMutablePointer<Double>,
        _ transform: (Double) -> Double
    ) {
        let count = values.count
        output.update(repeating: .nan, count: min(period - 1, count))
        guard count >= period else { return }
        let inverseCount = 1 / Double(period)
        var (anchor, sum, squares) = (0.0, 0.0, 0.0)
        // The first lap: nothing leaves the window yet (the ring hands back 0; x − 0 is x).
        for bar in 0..<period { slide(sum: &sum, squares: &squares, added: values[bar] - anchor, removed: 0) }
        (anchor, sum, squares) = reanchor(anchor, sum, period: period) { values[$0] }
        output[period - 1] = transform(variance(sum: sum, squares: squares, inverseCount: inverseCount))
        var lapStart = period
        while lapStart < count {
            let lapEnd = min(lapStart + period, count)
            let fullLap = lapEnd == lapStart + period
            let slidEnd = fullLap ? lapEnd - 1 : lapEnd
            for bar in lapStart..<slidEnd {
                slide(sum: &sum, squares: &squares, added: values[bar] - anchor, removed: values[bar - period] - anchor)
                output[bar] = transform(variance(sum: sum, squares: squares, inverseCount: inverseCount))
            }
            if fullLap {
                let bar = lapEnd - 1
                slide(sum: &sum, squares: &squares, added: values[bar] - anchor, removed: values[bar - period] - anchor)
                let first = bar - period + 1
                (anchor, sum, squares) = reanchor(anchor, sum, period: period) { values[first + $0] }
                output[bar] = transform(variance(sum: sum, squares: squares, inverseCount: inverseCount))
            }
            lapStart = lapEnd
        }
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
        guard let spread = variance.update(value), let centre else { return nil }
        // The deviation about the window's simple mean (with an SMA middle, the middle band itself).
        let deviation = spread > 0 ? spread.squareRoot() : 0
        return Triple(centre + deviation * up, centre, centre - deviation * down)
    }
}
