/// What can be wrong with an incoming update, each with the rule applied (README "Bad input").
/// Every occurrence is counted (`marketdata_ticks_rejected_total{reason}`) and each kind is logged once.
public enum TickIssue: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Price NaN, infinite, zero or negative: the update is dropped.
    case invalidPrice
    /// Size NaN, infinite or negative: the update is dropped.
    case invalidSize
    /// Bid or ask NaN, infinite or negative, or bid above ask: the quote part is dropped, a valid trade part is kept.
    case invalidQuote
    /// Timestamp further ahead of the feed's clock than the allowed skew: dropped.
    case clockSkew
    /// Same venue sequence as one already seen, or an exact repeat of the previous update: dropped.
    case duplicate
    /// Belongs to a candle closed longer ago than the grace: dropped (history stays as published).
    case late
    /// Older than the previous update but accepted (it lands in its own candle): counted only.
    case outOfOrder
    /// The feed named a symbol the catalog does not know: dropped by the feed.
    case unknownSymbol
    /// A provider message that does not parse: dropped by the feed.
    case malformedMessage

    /// The metric label and log value (`invalid_price`).
    public var description: String {
        switch self {
        case .invalidPrice: "invalid_price"
        case .invalidSize: "invalid_size"
        case .invalidQuote: "invalid_quote"
        case .clockSkew: "clock_skew"
        case .duplicate: "duplicate"
        case .late: "late"
        case .outOfOrder: "out_of_order"
        case .unknownSymbol: "unknown_symbol"
        case .malformedMessage: "malformed_message"
        }
    }

    /// True when the update was dropped entirely.
    public var drops: Bool { self != .outOfOrder && self != .invalidQuote }
}

/// Counts per `TickIssue`, cheap enough for the hot path.
public struct TickIssueCounts: Sendable, Hashable {
    private var counts = [UInt64](repeating: 0, count: TickIssue.allCases.count)

    /// All zero.
    public init() {}

    /// How often `issue` occurred.
    public subscript(issue: TickIssue) -> UInt64 {
        get { counts[issue.rawValue] }
        set { counts[issue.rawValue] = newValue }
    }

    mutating func add(_ issue: TickIssue) { counts[issue.rawValue] &+= 1 }

    /// Issues dropped (not merely counted).
    public var dropped: UInt64 { TickIssue.allCases.filter(\.drops).reduce(0) { $0 + counts[$1.rawValue] } }
}
