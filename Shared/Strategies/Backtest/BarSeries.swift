import Indicators

/// Bars in time order with their open times: what backtests and optimisations run over.
public struct BarSeries: Sendable, Hashable {
    /// Open time of each bar, Unix nanoseconds, strictly increasing.
    public var timesNs: [Int64]
    public var prices: PriceSeries

    /// Checks that the times strictly increase and every value is a finite number; the first
    /// problem names the bar (0-based index) so a reader can name the line.
    public init(timesNs: [Int64], prices: PriceSeries) throws(StrategyError) {
        guard timesNs.count == prices.count else {
            throw StrategyError(.invalidData, "\(timesNs.count) times for \(prices.count) bars")
        }
        for i in 0..<timesNs.count {
            if i > 0, timesNs[i] <= timesNs[i - 1] {
                throw StrategyError(
                    .invalidData, "bar \(i): its time is \(timesNs[i] == timesNs[i - 1] ? "the same as" : "before") the previous bar's; bars must be in time order, once each")
            }
            let bar = prices[i]
            for (name, v) in [("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close), ("volume", bar.volume)] where !v.isFinite {
                throw StrategyError(.invalidData, "bar \(i): \(name) is \(v), not a finite number")
            }
        }
        self.timesNs = timesNs
        self.prices = prices
    }

    public var count: Int { timesNs.count }

    /// The typical bar length: the median gap between open times (1 day when there is one bar).
    /// Measured over at most 10,001 gaps spread evenly through the series: a run reads it once, and
    /// sorting every gap of a million bars would cost more than the backtest.
    public var barNanoseconds: Int64 {
        guard count > 1 else { return 86_400_000_000_000 }
        let gaps = count - 1, sampled = min(gaps, 10_001)
        var sample = (0..<sampled).map { k in
            let i = 1 + k * gaps / sampled
            return timesNs[i] - timesNs[i - 1]
        }
        sample.sort()
        return sample[sample.count / 2]
    }

    /// The bars `range` (times and prices).
    public func slice(_ range: Range<Int>) -> BarSeries {
        let p = prices
        // Already checked: a slice of ordered, finite bars is ordered and finite.
        return BarSeries(
            unchecked: Array(timesNs[range]),
            PriceSeries(
                open: Array(p.open[range]), high: Array(p.high[range]), low: Array(p.low[range]), close: Array(p.close[range]),
                volume: Array(p.volume[range])))
    }

    init(unchecked times: [Int64], _ prices: PriceSeries) {
        timesNs = times
        self.prices = prices
    }
}
