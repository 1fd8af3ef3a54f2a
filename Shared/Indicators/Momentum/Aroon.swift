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

    /// The batch kernel: the ages found with the input columns as the blocks.
    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let (down, up) = (columns[0], columns[1])
        for column in columns { column.update(repeating: .nan, count: min(period, input.count)) }
        forEachAges(input) { bar, highAge, lowAge in
            down[bar] = factor * Double(period - lowAge)
            up[bar] = factor * Double(period - highAge)
        }
    }

    /// Calls `body` with the ages of the highest high and the lowest low for every bar from
    /// `lookback` on (the warm-up cells are the caller's to fill).
    @inlinable @inline(__always)
    func forEachAges(_ input: PriceColumns, _ body: (_ bar: Int, _ highAge: Int, _ lowAge: Int) -> Void) {
        guard input.count > 0 else { return }
        var highest = ColumnAgedExtreme<Highest>(input.high, window: period + 1)
        var lowest = ColumnAgedExtreme<Lowest>(input.low, window: period + 1)
        for bar in 0..<min(period, input.count) {
            _ = highest.age(at: bar)
            _ = lowest.age(at: bar)
        }
        var bar = period
        while bar < input.count {
            body(bar, highest.age(at: bar), lowest.age(at: bar))
            bar += 1
        }
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

    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        output.update(repeating: .nan, count: min(aroon.period, input.count))
        aroon.forEachAges(input) { bar, highAge, lowAge in output[bar] = aroon.factor * Double(lowAge - highAge) }
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
