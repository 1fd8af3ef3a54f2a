import Bus
import TradingCore

/// One series indicators run on: a canonical symbol (as market-data names it) and a timeframe.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let symbol: String
    public let timeframe: Timeframe

    public init(symbol: String, timeframe: Timeframe) {
        self.symbol = symbol
        self.timeframe = timeframe
    }

    /// Where market-data publishes this series' candles.
    var candleChannel: String { BusChannel.candle(timeframe.rawValue, symbol) }
    /// Where this service publishes its snapshots.
    var snapshotChannel: String { BusChannel.indicators(timeframe.rawValue, symbol) }

    public var description: String { "\(symbol) \(timeframe.rawValue)" }

    public static func < (a: Self, b: Self) -> Bool { (a.symbol, a.timeframe.nanoseconds) < (b.symbol, b.timeframe.nanoseconds) }
}
