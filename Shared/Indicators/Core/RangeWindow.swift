/// The highest high and lowest low over the last `period` bars, with how many bars ago each was
/// (the latest bar wins ties). Behind STOCH, WILLR, AROON, MIDPRICE and MIDPOINT.
public struct RangeWindow: Sendable, Hashable {
    public let period: Int
    @usableFromInline var highest: WindowExtreme<Highest>
    @usableFromInline var lowest: WindowExtreme<Lowest>
    @usableFromInline var seen = 0

    public init(period: Int) {
        precondition(period >= 1, "the period must be at least 1")
        self.period = period
        highest = WindowExtreme(window: period)
        lowest = WindowExtreme(window: period)
    }

    /// Returns the extremes once `period` bars have been seen.
    @inlinable
    public mutating func push(high: Double, low: Double)
        -> (high: Double, highAge: Int, low: Double, lowAge: Int)?
    {
        let top = highest.push(high)
        let bottom = lowest.push(low)
        seen += 1
        guard seen >= period else { return nil }
        return (top.value, top.age, bottom.value, bottom.age)
    }
}
