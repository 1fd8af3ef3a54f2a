/// The latest quote of one instrument and its rolling 24-hour figures.
///
/// 24-hour change, high, low and volume come from 288 five-minute buckets: O(1) per tick, and the
/// window moves in five-minute steps (the figures cover the last 24 h to within five minutes).
public struct QuoteState: Sendable {
    /// Time of the latest update, Unix ns (0: none yet).
    public var tsNs: Int64 = 0
    /// Latest trade price and best bid and ask.
    public var last: Double = 0
    public var bid: Double = 0
    public var ask: Double = 0
    private var buckets: [Bucket] = []

    struct Bucket: Sendable {
        var index: Int64 = .min
        var open: Double = 0
        var high: Double = 0
        var low: Double = 0
        var volume: Double = 0
    }

    static let bucketNs: Int64 = 300_000_000_000
    static let bucketCount = 288

    /// No quote yet.
    public init() {}

    mutating func trade(tsNs: Int64, price: Double, size: Double) {
        if tsNs >= self.tsNs {
            self.tsNs = tsNs
            last = price
        }
        if buckets.isEmpty { buckets = Array(repeating: Bucket(), count: Self.bucketCount) }
        let index = floorDiv(tsNs, Self.bucketNs)
        let slot = Int(((index % Int64(Self.bucketCount)) + Int64(Self.bucketCount)) % Int64(Self.bucketCount))
        if buckets[slot].index != index {
            // A tick older than what the slot holds belongs to a window already gone.
            guard buckets[slot].index < index else { return }
            buckets[slot] = Bucket(index: index, open: price, high: price, low: price, volume: size)
            return
        }
        if price > buckets[slot].high { buckets[slot].high = price }
        if price < buckets[slot].low { buckets[slot].low = price }
        buckets[slot].volume += size
    }

    mutating func quote(tsNs: Int64, bid: Double, ask: Double) {
        if tsNs >= self.tsNs { self.tsNs = tsNs }
        self.bid = bid
        self.ask = ask
    }

    /// The quote with 24-hour figures as of its latest update.
    public func snapshot(symbol: String) -> Quote {
        var q = Quote(symbol: symbol, tsNs: tsNs, last: last, bid: bid, ask: ask)
        guard !buckets.isEmpty, tsNs > 0 else { return q }
        let newest = floorDiv(tsNs, Self.bucketNs)
        var oldest = Int64.max
        var open = 0.0
        var high = -Double.infinity
        var low = Double.infinity
        var volume = 0.0
        for b in buckets where b.index > newest - Int64(Self.bucketCount) && b.index <= newest {
            if b.index < oldest {
                oldest = b.index
                open = b.open
            }
            high = max(high, b.high)
            low = min(low, b.low)
            volume += b.volume
        }
        guard oldest != .max else { return q }
        q.change24h = last - open
        q.change24hPct = open != 0 ? (last - open) / open * 100 : 0
        q.high24h = high
        q.low24h = low
        q.volume24h = volume
        return q
    }
}

/// A latest quote with its 24-hour figures (the wire's `Quote`).
public struct Quote: Sendable, Hashable {
    /// Canonical symbol.
    public var symbol: String
    /// Time of the latest update, Unix ns.
    public var tsNs: Int64
    public var last: Double
    public var bid: Double
    public var ask: Double
    /// `last` minus the price 24 h ago, absolute and in percent.
    public var change24h: Double = 0
    public var change24hPct: Double = 0
    /// Traded size, highest and lowest trade over the last 24 h.
    public var volume24h: Double = 0
    public var high24h: Double = 0
    public var low24h: Double = 0
}
