/// The change of a value over `period` bars, in the four ways TA-Lib names.
public struct RateOfChange: ValueIndicator, Hashable {
    public typealias Output = Double

    public enum Form: Sendable, Hashable {
        /// MOM: value − value[period ago].
        case momentum
        /// ROC: (value / value[period ago] − 1) · 100.
        case percent
        /// ROCP: (value − value[period ago]) / value[period ago].
        case fraction
        /// ROCR: value / value[period ago].
        case ratio
    }

    public let period: Int
    public let form: Form
    @usableFromInline var window: RingBuffer

    public init(_ form: Form, period: Int = 10) {
        precondition(period >= 1, "the period must be at least 1")
        self.form = form
        self.period = period
        window = RingBuffer(capacity: period + 1)
    }

    public var lookback: Int { period }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        window.push(value)
        guard window.isFull else { return nil }
        return Self.change(form, from: window.oldest, to: value)
    }

    @inlinable @inline(__always)
    static func change(_ form: Form, from past: Double, to value: Double) -> Double {
        switch form {
        case .momentum: return value - past
        case .percent: return past != 0 ? (value / past - 1.0) * 100.0 : 0
        case .fraction: return past != 0 ? (value - past) / past : 0
        case .ratio: return past != 0 ? value / past : 0
        }
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        switch form {
        case .momentum: Self.run(.momentum, values: values, period: period, into: columns)
        case .percent: Self.run(.percent, values: values, period: period, into: columns)
        case .fraction: Self.run(.fraction, values: values, period: period, into: columns)
        case .ratio: Self.run(.ratio, values: values, period: period, into: columns)
        }
    }

    /// One loop per form (the form a constant in each), so each vectorizes.
    @inlinable @inline(__always)
    static func run(
        _ form: Form, values: UnsafeBufferPointer<Double>, period: Int,
        into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        let output = columns[0]
        let input = values.baseAddress!
        forEachWarmBar(count: values.count, lookback: period, columns: columns) { bar in
            output[bar] = change(form, from: input[bar - period], to: input[bar])
        }
    }
}
