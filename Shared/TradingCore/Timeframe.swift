/// A candle period, aligned to UTC boundaries.
public enum Timeframe: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case m1 = "1m", m5 = "5m", m15 = "15m", h1 = "1h", h4 = "4h", d1 = "1d"

    /// Length in nanoseconds.
    public var nanoseconds: Int64 {
        let minute: Int64 = 60_000_000_000
        switch self {
        case .m1: return minute
        case .m5: return 5 * minute
        case .m15: return 15 * minute
        case .h1: return 60 * minute
        case .h4: return 240 * minute
        case .d1: return 1440 * minute
        }
    }

    /// Start of the period containing `ns` (Unix nanoseconds, UTC); correct for times before 1970 too.
    public func periodStart(containing ns: Int64) -> Int64 {
        let n = nanoseconds
        let r = ns % n
        return r >= 0 ? ns - r : ns - r - n
    }

    /// Parses "1m", "5m", "15m", "1h", "4h", "1d" (case-insensitive).
    public init(parsing text: String) throws(TradingCoreError) {
        guard let tf = Timeframe(rawValue: text.lowercased()) else {
            throw TradingCoreError(code: .invalidTimeframe, message: "unknown timeframe \"\(text)\"; use one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = tf
    }

    public var description: String { rawValue }
}
