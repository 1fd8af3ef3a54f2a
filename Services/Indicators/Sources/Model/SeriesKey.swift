import Bus
import TradingCore

/// One series indicators run on: a canonical symbol (as market-data names it) and a timeframe.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Canonical symbol, e.g. `BTC/USDT`.
    public let symbol: String
    public let timeframe: Timeframe

    /// The series of `symbol` in `timeframe`.
    public init(symbol: String, timeframe: Timeframe) {
        self.symbol = symbol
        self.timeframe = timeframe
    }

    /// Where market-data publishes this series' candles.
    var candleChannel: String { BusChannel.candle(timeframe.rawValue, symbol) }
    /// Where this service publishes its snapshots.
    var snapshotChannel: String { BusChannel.indicators(timeframe.rawValue, symbol) }

    /// `BTC/USDT 1m`.
    public var description: String { "\(symbol) \(timeframe.rawValue)" }

    /// By symbol, then by timeframe length.
    public static func < (a: Self, b: Self) -> Bool { (a.symbol, a.timeframe.nanoseconds) < (b.symbol, b.timeframe.nanoseconds) }
}
