#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Least-squares line through the last `period` values (TA-Lib's LINEARREG family).
///
/// With x counted in bars and the oldest bar of the window at x = 0: slope m, intercept b;
/// LINEARREG is the line at today (b + m·(period − 1)), TSF the next bar (b + m·period),
/// LINEARREG_ANGLE atan(m) in degrees. The sums are running sums, O(1) per bar: Σy gains the new
/// value less the dropped one, Σ age·y gains the previous Σy (every value a bar older) less
/// period × the dropped value. The slope is a small difference of large sums, so their rounding
/// drift would soon leave the 1e-9 agreement with TA-Lib: every `period` bars both are taken afresh
/// from the window (O(1) amortized). The batch kernel does the same with the input column as its
/// window.
public struct LinearRegression: ValueIndicator, Hashable {
    public typealias Output = Double

    public enum Form: Sendable, Hashable { case value, slope, intercept, angle, forecast }

    public let period: Int
    public let form: Form
    @usableFromInline var window: RingBuffer
    @usableFromInline var sumY = 0.0
    /// Σ age · y, age 0 for the newest value.
    @usableFromInline var sumAgeY = 0.0
    @usableFromInline let sumX: Double
    /// The reciprocals of the slope's denominator, (Σx)² − n·Σx², and of n: TA-Lib divides by both
    /// on every bar; multiplying takes two divisions off each bar (values move by an ulp or so).
    @usableFromInline let inverseDivisor: Double
    @usableFromInline let inverseCount: Double

    public init(_ form: Form, period: Int = 14) {
        precondition(period >= 2, "the period must be at least 2")
        self.form = form
        self.period = period
        window = RingBuffer(capacity: period)
        let n = Double(period)
        sumX = n * (n - 1) * 0.5
        let sumXSquared = n * (n - 1) * (2 * n - 1) / 6
        inverseDivisor = 1 / (sumX * sumX - n * sumXSquared)
        inverseCount = 1 / n
    }

    public var lookback: Int { period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        let dropped = window.replace(with: value)
        Self.slide(sumY: &sumY, sumAgeY: &sumAgeY, adding: value, dropping: dropped, period: Double(period))
        if window.completedLap {
            // The lap just ended at the last cell, so the value `age` pushes ago is in cell
            // `period − 1 − age`.
            let period = period
            (sumY, sumAgeY) = window.withValues { cells in Self.sums(period: period) { cells[period - 1 - $0] } }
        }
        guard window.isFull else { return nil }
        return line(sumY: sumY, sumAgeY: sumAgeY)
    }

    /// The batch kernel, lap by lap: within a lap the sums slide, at its last bar they are taken afresh
    /// (where the streaming form's ring completes a lap); the first lap, with nothing yet to drop,
    /// gives no value until its last bar.
    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        let count = values.count
        let n = Double(period)
        var sumY = 0.0
        var sumAgeY = 0.0
        output.update(repeating: .nan, count: min(lookback, count))
        guard count >= period else {
            return
        }
        for bar in 0..<lookback {
            Self.slide(sumY: &sumY, sumAgeY: &sumAgeY, adding: values[bar], dropping: 0, period: n)
        }
        var lapEnd = lookback
        var bar = lookback
        while bar < count {
            while bar < min(lapEnd, count) {
                Self.slide(sumY: &sumY, sumAgeY: &sumAgeY, adding: values[bar], dropping: values[bar - period], period: n)
                output[bar] = line(sumY: sumY, sumAgeY: sumAgeY)
                bar += 1
            }
            guard bar < count else { break }
            // The lap's last bar: slid as every bar is (the streaming form does), then taken afresh.
            Self.slide(
                sumY: &sumY, sumAgeY: &sumAgeY, adding: values[bar], dropping: bar >= period ? values[bar - period] : 0,
                period: n)
            (sumY, sumAgeY) = Self.sums(period: period) { values[bar - $0] }
            output[bar] = line(sumY: sumY, sumAgeY: sumAgeY)
            bar += 1
            lapEnd += period
        }
    }

    /// Σy and Σ age·y taken afresh over a full window, oldest first; `value(age)` reads it.
    @inlinable @inline(__always)
    static func sums(period: Int, _ value: (Int) -> Double) -> (Double, Double) {
        var sumY = 0.0
        var sumAgeY = 0.0
        var age = period - 1
        while age >= 0 {
            let y = value(age)
            sumY += y
            sumAgeY += Double(age) * y
            age -= 1
        }
        return (sumY, sumAgeY)
    }

    /// Moves the window's sums on by one bar (`dropped` is 0 while the window fills).
    @inlinable @inline(__always)
    static func slide(sumY: inout Double, sumAgeY: inout Double, adding value: Double, dropping dropped: Double, period: Double) {
        sumAgeY += sumY - period * dropped
        sumY += value - dropped
    }

    @inlinable @inline(__always)
    func line(sumY: Double, sumAgeY: Double) -> Double {
        let n = Double(period)
        let slope = (n * sumAgeY - sumX * sumY) * inverseDivisor
        switch form {
        case .slope: return slope
        case .angle: return atan(slope) * (180.0 / Double.pi)
        default: break
        }
        let intercept = (sumY - slope * sumX) * inverseCount
        switch form {
        case .intercept: return intercept
        case .forecast: return intercept + slope * n
        default: return intercept + slope * (n - 1)
        }
    }
}

/// MIDPOINT: (highest + lowest) / 2 of the last `period` values.
public struct MidPoint: ValueIndicator, Hashable {
    public typealias Output = Double

    @usableFromInline var range: RangeWindow

    public init(period: Int = 14) {
        precondition(period >= 2, "the period must be at least 2")
        range = RangeWindow(period: period)
    }

    public var lookback: Int { range.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let extremes = range.push(value) else { return nil }
        return (extremes.high + extremes.low) / 2.0
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        runOverRange(high: values, low: values, period: range.period, into: columns) { _, highest, lowest in
            (highest + lowest) / 2.0
        }
    }
}

/// MIDPRICE: (highest high + lowest low) / 2 over the last `period` bars.
public struct MidPrice: StreamingIndicator, Hashable {
    @usableFromInline var range: RangeWindow

    public init(period: Int = 14) {
        precondition(period >= 2, "the period must be at least 2")
        range = RangeWindow(period: period)
    }

    public var lookback: Int { range.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let extremes = range.push(high: bar.high, low: bar.low) else { return nil }
        return (extremes.high + extremes.low) / 2.0
    }

    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        runOverRange(high: input.high, low: input.low, period: range.period, into: columns) { _, highest, lowest in
            (highest + lowest) / 2.0
        }
    }
}
