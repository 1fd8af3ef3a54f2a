/// An exact decimal with 8 fractional digits, stored as `Int64` units of 10⁻⁸ (the wire's
/// `Decimal.raw`). Prices, quantities and money in orders, fills, positions and balances use it;
/// binary floating point never touches them.
///
/// Arithmetic is checked: a result that does not fit is an `ArithmeticError`, never a wrap or a trap.
/// Range: ±92,233,720,368.54775807.
public struct FixedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Fractional digits.
    public static let scale = 8
    /// Raw units per 1.
    public static let unitsPerOne: Int64 = 100_000_000

    public static let zero = FixedDecimal(raw: 0)
    public static let one = FixedDecimal(raw: unitsPerOne)

    /// The value in units of 10⁻⁸.
    public let raw: Int64

    /// The decimal whose value is `raw` × 10⁻⁸.
    public init(raw: Int64) { self.raw = raw }

    /// The whole number `value`.
    public init(_ value: Int) throws(ArithmeticError) {
        let (r, overflow) = Int64(value).multipliedReportingOverflow(by: Self.unitsPerOne)
        guard !overflow else { throw .overflow("\(value)") }
        self.raw = r
    }

    /// The nearest decimal to `value` (half away from zero). NaN, infinities and values out of range are refused.
    public init(approximating value: Double) throws(ArithmeticError) {
        guard value.isFinite else { throw ArithmeticError(code: .invalid, message: "\(value) is not a finite number") }
        let scaled = (value * Double(Self.unitsPerOne)).rounded(.toNearestOrAwayFromZero)
        guard scaled >= -9.223372036854775e18, scaled <= 9.223372036854775e18 else { throw .overflow("\(value)") }
        self.raw = Int64(scaled)
    }

    /// The nearest `Double` (for display and statistics, never for bookkeeping).
    public var doubleValue: Double { Double(raw) / Double(Self.unitsPerOne) }

    public var isNegative: Bool { raw < 0 }
    public var isZero: Bool { raw == 0 }
    /// |self|; throws for the one value whose magnitude does not fit.
    public var magnitude: FixedDecimal {
        get throws(ArithmeticError) {
            guard raw != .min else { throw .overflow("|\(self)|") }
            return FixedDecimal(raw: Swift.abs(raw))
        }
    }

    public static func < (a: FixedDecimal, b: FixedDecimal) -> Bool { a.raw < b.raw }

    public static func + (a: FixedDecimal, b: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        let (r, o) = a.raw.addingReportingOverflow(b.raw)
        guard !o else { throw .overflow("\(a) + \(b)") }
        return FixedDecimal(raw: r)
    }

    public static func - (a: FixedDecimal, b: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        let (r, o) = a.raw.subtractingReportingOverflow(b.raw)
        guard !o else { throw .overflow("\(a) - \(b)") }
        return FixedDecimal(raw: r)
    }

    public static prefix func - (a: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        guard a.raw != .min else { throw .overflow("-(\(a))") }
        return FixedDecimal(raw: -a.raw)
    }

    /// `a × b`, rounded to 8 digits by `rule` (banker's rounding by default, as ledgers do).
    public static func * (a: FixedDecimal, b: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        try a.multiplied(by: b, rounding: .toNearestOrEven)
    }

    /// `a ÷ b`, rounded to 8 digits with banker's rounding.
    public static func / (a: FixedDecimal, b: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        try a.divided(by: b, rounding: .toNearestOrEven)
    }

    /// `self × other` with an explicit rounding rule.
    public func multiplied(by other: FixedDecimal, rounding rule: FloatingPointRoundingRule) throws(ArithmeticError) -> FixedDecimal {
        let product = raw.multipliedFullWidth(by: other.raw)
        // The 128-bit product divided by 10^8 must fit 64 bits: check the high word first.
        let divisor = Self.unitsPerOne
        guard Swift.abs(Int128(product.high) << 64 | Int128(product.low)) / Int128(divisor) <= Int128(Int64.max) else {
            throw .overflow("\(self) × \(other)")
        }
        let wide = Int128(product.high) << 64 | Int128(product.low)
        return FixedDecimal(raw: Int64(Self.divide(wide, by: Int128(divisor), rounding: rule)))
    }

    /// `self ÷ other` with an explicit rounding rule.
    public func divided(by other: FixedDecimal, rounding rule: FloatingPointRoundingRule) throws(ArithmeticError) -> FixedDecimal {
        guard other.raw != 0 else { throw ArithmeticError(code: .divisionByZero, message: "\(self) ÷ 0") }
        let q = Self.divide(Int128(raw) * Int128(Self.unitsPerOne), by: Int128(other.raw), rounding: rule)
        guard q >= Int128(Int64.min), q <= Int128(Int64.max) else { throw .overflow("\(self) ÷ \(other)") }
        return FixedDecimal(raw: Int64(q))
    }

    /// The nearest multiple of `increment` (a tick or lot size) by `rule`.
    public func rounded(toMultipleOf increment: FixedDecimal, rule: FloatingPointRoundingRule = .towardZero) throws(ArithmeticError) -> FixedDecimal {
        guard increment.raw > 0 else { throw ArithmeticError(code: .invalid, message: "increment \(increment) must be positive") }
        let steps = Self.divide(Int128(raw), by: Int128(increment.raw), rounding: rule)
        let r = steps * Int128(increment.raw)
        guard r >= Int128(Int64.min), r <= Int128(Int64.max) else { throw .overflow("\(self) rounded to \(increment)") }
        return FixedDecimal(raw: Int64(r))
    }

    static func divide(_ n: Int128, by d: Int128, rounding rule: FloatingPointRoundingRule) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        if r == 0 { return q }
        let negative = (n < 0) != (d < 0)
        let away: Int128 = negative ? -1 : 1
        let twice = Swift.abs(r) * 2, mag = Swift.abs(d)
        switch rule {
        case .towardZero: return q
        case .awayFromZero: return q + away
        case .down: return negative ? q - 1 : q
        case .up: return negative ? q : q + 1
        case .toNearestOrAwayFromZero: return twice >= mag ? q + away : q
        case .toNearestOrEven: return twice > mag || (twice == mag && q % 2 != 0) ? q + away : q
        @unknown default: return q
        }
    }

    public var description: String {
        let negative = raw < 0
        let m = raw.magnitude
        let whole = m / UInt64(Self.unitsPerOne), frac = m % UInt64(Self.unitsPerOne)
        var s = negative ? "-\(whole)" : "\(whole)"
        if frac != 0 {
            var digits = String(frac)
            digits = String(repeating: "0", count: Self.scale - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            s += "." + digits
        }
        return s
    }
}
