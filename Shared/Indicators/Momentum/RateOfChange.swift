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
        window = RingBuffer(capacity: period)
    }

    public var lookback: Int { period }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        let warm = window.isFull
        let past = window.replace(with: value)  // the value `period` bars ago, once full
        guard warm else { return nil }
        return Self.change(form, from: past, to: value)
    }

    /// The change of one value: lane 0 of the lane-wise form.
    @inlinable @inline(__always)
    static func change(_ form: Form, from past: Double, to value: Double) -> Double {
        change(form, from: SIMD2(repeating: past), to: SIMD2(repeating: value))[0]
    }

    /// The change, on lanes side by side: four at a time in the batch kernel, one (of two) in the
    /// streaming form, so both run the same arithmetic. A zero past value gives 0, as in TA-Lib.
    @inlinable @inline(__always)
    static func change<Lanes: SIMD>(_ form: Form, from past: Lanes, to value: Lanes) -> Lanes
    where Lanes.Scalar == Double {
        switch form {
        case .momentum: return value - past
        case .percent: return ((value / past - 1.0) * 100.0).replacing(with: 0, where: past .== 0)
        case .fraction: return ((value - past) / past).replacing(with: 0, where: past .== 0)
        case .ratio: return (value / past).replacing(with: 0, where: past .== 0)
        }
    }

    @inlinable
    public func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        switch form {
        case .momentum: Self.run(.momentum, values: values, period: period, into: columns[0])
        case .percent: Self.run(.percent, values: values, period: period, into: columns[0])
        case .fraction: Self.run(.fraction, values: values, period: period, into: columns[0])
        case .ratio: Self.run(.ratio, values: values, period: period, into: columns[0])
        }
    }

    /// One loop per form (the form a constant in each), four bars at a time: the compiler did not
    /// vectorize the plain loop (the output might overlap the input).
    @inlinable @inline(__always)
    static func run(
        _ form: Form, values: UnsafeBufferPointer<Double>, period: Int, into output: UnsafeMutablePointer<Double>
    ) {
        let count = values.count
        output.update(repeating: .nan, count: min(period, count))
        guard let input = values.baseAddress else { return }
        var bar = period
        while bar + 4 <= count {
            let past = UnsafeRawPointer(input + (bar - period)).loadUnaligned(as: SIMD4<Double>.self)
            let value = UnsafeRawPointer(input + bar).loadUnaligned(as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(output + bar).storeBytes(of: change(form, from: past, to: value), as: SIMD4<Double>.self)
            bar += 4
        }
        while bar < count {
            output[bar] = change(form, from: input[bar - period], to: input[bar])
            bar += 1
        }
    }
}
