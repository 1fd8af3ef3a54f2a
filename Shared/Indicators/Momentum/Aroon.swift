/// Aroon: how recent the highest high and lowest low of the last `period + 1` bars are,
/// 100 · (period − bars since) / period. Outputs (down, up); the latest bar wins ties.
public struct Aroon: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var highest: AgedWindowExtreme<Highest>
    @usableFromInline var lowest: AgedWindowExtreme<Lowest>
    @usableFromInline var seen = 0
    @usableFromInline let factor: Double

    public init(period: Int = 14) {
        precondition(period >= 2, "AROON period must be at least 2")
        self.period = period
        highest = AgedWindowExtreme(window: period + 1)
        lowest = AgedWindowExtreme(window: period + 1)
        factor = 100.0 / Double(period)
    }

    public var lookback: Int { period }

    /// Bars since the highest high and since the lowest low, once `period + 1` bars have been seen.
    @inlinable @inline(__always)
    mutating func ages(_ bar: PriceBar) -> (high: Int, low: Int)? {
        let highAge = highest.push(bar.high).age
        let lowAge = lowest.push(bar.low).age
        guard seen >= period else {
            seen += 1
            return nil
        }
        return (highAge, lowAge)
    }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Pair? {
        guard let ages = ages(bar) else { return nil }
        return Pair(factor * Double(period - ages.low), factor * Double(period - ages.high))
    }
}

/// Aroon oscillator: Aroon up − Aroon down, written 100/period · (bars since low − bars since high).
public struct AroonOscillator: StreamingIndicator, Hashable {
    @usableFromInline var aroon: Aroon

    public init(period: Int = 14) { aroon = Aroon(period: period) }

    public var lookback: Int { aroon.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let ages = aroon.ages(bar) else { return nil }
        return aroon.factor * Double(ages.low - ages.high)
    }
}

/// Balance of power: (close − open) / (high − low); 0 for a bar with no range.
public struct BalanceOfPower: StreamingIndicator, Hashable {
    public init() {}

    public var lookback: Int { 0 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let range = bar.high - bar.low
        return isTALibZeroOrNegative(range) ? 0 : (bar.close - bar.open) / range
    }
}
