/// One OHLCV bar as the trading model sees it (the wire carries `PB.Candle`).
public struct Bar: Sendable, Hashable {
    /// UTC start of the bar's period, Unix nanoseconds.
    public var openTimeNs: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(openTimeNs: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.openTimeNs = openTimeNs
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
