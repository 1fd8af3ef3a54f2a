/// Aroon: how recent the highest high and lowest low of the last `period + 1` bars are,
/// 100 · (period − bars since) / period. Outputs (down, up); the latest bar wins ties.
public struct Aroon: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var range: RangeWindow
    @usableFromInline let factor: Double

    public init(period: Int = 14) {
        precondition(period >= 2, "AROON period must be at least 2")
        self.period = period
        range = RangeWindow(period: period + 1)
        factor = 100.0 / Double(period)
    }

    public var lookback: Int { period }

    @inlinable
    public mutating func update(_ bar: PriceBar) -> Pair? {
        guard let extremes = range.push(high: bar.high, low: bar.low) else { return nil }
        return Pair(
            factor * Double(period - extremes.lowAge), factor * Double(period - extremes.highAge))
    }
}

/// Aroon oscillator: Aroon up − Aroon down, written 100/period · (bars since low − bars since high).
public struct AroonOscillator: StreamingIndicator, Hashable {
    @usableFromInline var aroon: Aroon

    public init(period: Int = 14) { aroon = Aroon(period: period) }

    public var lookback: Int { aroon.lookback }

    @inlinable
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let extremes = aroon.range.push(high: bar.high, low: bar.low) else { return nil }
        return aroon.factor * Double(extremes.lowAge - extremes.highAge)
    }
}

/// Balance of power: (close − open) / (high − low); 0 for a bar with no range.
public struct BalanceOfPower: StreamingIndicator, Hashable {
    public init() {}

    public var lookback: Int { 0 }

    @inlinable
    public mutating func update(_ bar: PriceBar) -> Double? {
        let range = bar.high - bar.low
        return isTALibZeroOrNegative(range) ? 0 : (bar.close - bar.open) / range
    }
}
