/// When an instrument trades, for annualising returns and volatility: about 252 sessions of 6.5
/// hours a year for stocks, five days of 24 hours a week for FX, every hour of every day for crypto.
public enum TradingCalendar: String, Sendable, Hashable, CaseIterable {
    case stocks, fx, crypto

    /// Trading days a year.
    public var daysPerYear: Double {
        switch self {
        case .stocks: 252
        case .fx: 260
        case .crypto: 365
        }
    }

    /// Trading hours in one of those days.
    public var hoursPerDay: Double { self == .stocks ? 6.5 : 24 }

    /// Bars a year for bars `barNanoseconds` long: a daily or longer bar counts trading days, an
    /// intraday bar trading hours.
    public func periodsPerYear(barNanoseconds: Int64) -> Double {
        let day = 86_400e9
        let length = Double(barNanoseconds)
        guard length > 0 else { return daysPerYear }
        if length >= day { return daysPerYear / (length / day) }
        return daysPerYear * hoursPerDay * 3_600e9 / length
    }
}
