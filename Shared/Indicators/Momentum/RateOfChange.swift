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

    @inlinable
    public mutating func update(_ value: Double) -> Double? {
        window.push(value)
        guard window.isFull else { return nil }
        let past = window.oldest
        switch form {
        case .momentum: return value - past
        case .percent: return past != 0 ? (value / past - 1.0) * 100.0 : 0
        case .fraction: return past != 0 ? (value - past) / past : 0
        case .ratio: return past != 0 ? value / past : 0
        }
    }
}
