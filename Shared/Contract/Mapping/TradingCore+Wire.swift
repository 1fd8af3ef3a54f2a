import TradingCore
import Wire

// The one place the shared value types meet their wire forms.

extension Timeframe {
    /// The timeframe a wire value names; nil for `unspecified` or an unknown number.
    public init?(wire: PB.Timeframe) {
        switch wire {
        case .m1: self = .m1
        case .m5: self = .m5
        case .m15: self = .m15
        case .h1: self = .h1
        case .h4: self = .h4
        case .d1: self = .d1
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The wire value.
    public var wire: PB.Timeframe {
        switch self {
        case .m1: .m1
        case .m5: .m5
        case .m15: .m15
        case .h1: .h1
        case .h4: .h4
        case .d1: .d1
        }
    }

    /// The wire number (1 = 1m … 6 = 1d), as stored in tables.
    public var wireNumber: Int { Int(wire.rawValue) }

    /// The timeframe a stored wire number names; nil for anything else.
    public init?(wireNumber: Int) {
        guard let number = Int32(exactly: wireNumber) else { return nil }
        self.init(wire: PB.Timeframe(rawValue: number))
    }
}

extension Side {
    /// The side a wire value names; nil for `unspecified`.
    public init?(wire: PB.Side) {
        switch wire {
        case .buy: self = .buy
        case .sell: self = .sell
        case .unspecified, .unrecognized: return nil
        }
    }

    /// The wire value.
    public var wire: PB.Side { self == .buy ? .buy : .sell }
}

extension FixedDecimal {
    /// The same value: both are units of 10⁻⁸.
    public init(wire: PB.Decimal) { self.init(raw: wire.raw) }
    /// The same value; an absent field is zero (proto3's default).
    public init(wire: PB.Decimal?) { self.init(raw: wire?.raw ?? 0) }
    /// The wire value.
    public var wire: PB.Decimal { PB.Decimal(raw: raw) }
}
