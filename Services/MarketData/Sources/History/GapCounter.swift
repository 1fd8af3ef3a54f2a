import TradingCore

/// Counts the periods of a span in which the instrument trades (a weekend is not a gap for a stock).
enum GapCounter {
    static func missingPeriods(from: Int64, to: Int64, timeframe: Timeframe, sessions: TradingSessions) -> UInt64 {
        let n = timeframe.nanoseconds
        let total = (to - from + n - 1) / n
        if sessions.isContinuous || total > 200_000 { return UInt64(max(0, total)) }
        var count: UInt64 = 0
        var start = from
        while start < to {
            if sessions.trades(during: start, start + n) { count += 1 }
            start += n
        }
        return count
    }
}
