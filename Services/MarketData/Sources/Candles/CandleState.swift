import TradingCore

/// One candle of one instrument and timeframe, as the builder keeps it.
public struct CandleState: Sendable, Hashable {
    /// Whose candle it is.
    public var instrument: InstrumentID
    public var timeframe: Timeframe
    /// Start of the period, inclusive; `periodEnd` is exclusive (a session-aligned day may not be 24 h).
    public var openTime: Int64
    public var periodEnd: Int64
    /// Prices of the first and last tick by timestamp, and the extremes between.
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    /// Traded size in the period (0 for quote-built FX candles).
    public var volume: Double
    /// Updates folded in (trades, or quotes for FX).
    public var tradeCount: UInt32
    /// Times of the ticks that set `open` and `close`, so out-of-order ticks land where they belong.
    var firstTs: Int64
    var lastTs: Int64

    init(instrument: InstrumentID, timeframe: Timeframe, openTime: Int64, periodEnd: Int64, tsNs: Int64, price: Double, size: Double) {
        self.instrument = instrument
        self.timeframe = timeframe
        self.openTime = openTime
        self.periodEnd = periodEnd
        open = price
        high = price
        low = price
        close = price
        volume = size
        tradeCount = 1
        firstTs = tsNs
        lastTs = tsNs
    }

    /// A candle that already exists (from storage or a provider's history).
    public init(
        instrument: InstrumentID, timeframe: Timeframe, openTime: Int64, periodEnd: Int64,
        open: Double, high: Double, low: Double, close: Double, volume: Double, tradeCount: UInt32
    ) {
        self.instrument = instrument
        self.timeframe = timeframe
        self.openTime = openTime
        self.periodEnd = periodEnd
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.tradeCount = tradeCount
        firstTs = openTime
        lastTs = periodEnd - 1
    }

    /// Folds a tick of this period in; a tick older than the first seen becomes the open, one at or
    /// after the last seen becomes the close.
    @inline(__always)
    mutating func add(tsNs: Int64, price: Double, size: Double) {
        if price > high { high = price }
        if price < low { low = price }
        if tsNs < firstTs {
            firstTs = tsNs
            open = price
        }
        if tsNs >= lastTs {
            lastTs = tsNs
            close = price
        }
        volume += size
        tradeCount &+= 1
    }

    /// The OHLC relations every candle must satisfy, with finite positive prices and non-negative volume.
    public var isWellFormed: Bool {
        open.isFinite && high.isFinite && low.isFinite && close.isFinite && volume.isFinite
            && low > 0 && volume >= 0 && low <= open && low <= close && high >= open && high >= close
    }
}

/// A candle leaving the builder: still forming, just closed, or a closed one changed by a late tick.
public struct CandleEvent: Sendable, Hashable {
    /// Still forming (published at most every `candles.forming_publish_ms`), just closed, or a
    /// closed candle changed by a late tick.
    public enum Kind: Sendable, Hashable { case forming, closed, correction }
    public var kind: Kind
    /// The candle as it is now.
    public var candle: CandleState
}
