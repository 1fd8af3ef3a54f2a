import TradingCore

/// One normalized market update: a trade, a quote, or both. Times are Unix nanoseconds, UTC.
///
/// Feeds resolve their venue symbol to an `InstrumentID` once, when they parse a message, so that
/// nothing downstream hashes strings per tick.
public struct MarketTick: Sendable, Hashable {
    /// Whose update it is, and when (Unix ns, UTC).
    public var instrument: InstrumentID
    public var tsNs: Int64
    /// Trade price; 0 for a quote-only update.
    public var price: Double
    /// Trade size; 0 for a quote-only update.
    public var size: Double
    /// Best bid and ask; 0 when the update carries no quote.
    public var bid: Double
    public var ask: Double
    /// The side that crossed the spread, when the venue says.
    public var aggressor: Side?
    /// The venue's sequence or trade id; 0 when it has none.
    public var seq: UInt64

    /// An update; fields left out are absent (0 or nil).
    public init(
        instrument: InstrumentID, tsNs: Int64, price: Double = 0, size: Double = 0, bid: Double = 0, ask: Double = 0,
        aggressor: Side? = nil, seq: UInt64 = 0
    ) {
        self.instrument = instrument
        self.tsNs = tsNs
        self.price = price
        self.size = size
        self.bid = bid
        self.ask = ask
        self.aggressor = aggressor
        self.seq = seq
    }

    /// True when it carries a trade.
    public var isTrade: Bool { price != 0 }
    /// True when it carries a bid or an ask.
    public var hasQuote: Bool { bid != 0 || ask != 0 }
}
