/// Ultimate oscillator: 100 · (4·A₁ + 2·A₂ + A₃) / 7 where Aₙ = Σ(close − true low) / Σ true range over
/// the shortest, middle and longest period (TA-Lib sorts the three periods); a term whose range sum
/// is zero counts as 0. True low = min(low, previous close).
public struct UltimateOscillator: StreamingIndicator, Hashable {
    @usableFromInline let shortest: Int, middle: Int, longest: Int
    @usableFromInline var buying: RingBuffer
    @usableFromInline var ranges: RingBuffer
    /// Running sums for the shortest, middle and longest window, one lane each.
    @usableFromInline var buyingSums = SIMD3<Double>()
    @usableFromInline var rangeSums = SIMD3<Double>()
    @usableFromInline var previousClose = 0.0
    @usableFromInline var seen = 0

    public init(period1: Int = 7, period2: Int = 14, period3: Int = 28) {
        let sorted = [period1, period2, period3].sorted()
        precondition(sorted[0] >= 1, "the periods must be at least 1")
        shortest = sorted[0]
        middle = sorted[1]
        longest = sorted[2]
        buying = RingBuffer(capacity: longest)
        ranges = RingBuffer(capacity: longest)
    }

    public var lookback: Int { longest }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        defer { previousClose = bar.close }
        seen += 1
        if seen == 1 { return nil }
        let trueLow = min(bar.low, previousClose)
        let pressure = bar.close - trueLow
        let range = trueRange(high: bar.high, low: bar.low, previousClose: previousClose)
        buying.push(pressure)
        ranges.push(range)
        buyingSums += SIMD3(repeating: pressure)
        rangeSums += SIMD3(repeating: range)
        let terms = seen - 1
        var output: Double? = nil
        if terms >= longest {
            var total = 0.0
            if !isTALibZero(rangeSums.x) { total += 4.0 * (buyingSums.x / rangeSums.x) }
            if !isTALibZero(rangeSums.y) { total += 2.0 * (buyingSums.y / rangeSums.y) }
            if !isTALibZero(rangeSums.z) { total += buyingSums.z / rangeSums.z }
            output = 100.0 * (total / 7.0)
        }
        // Each window drops its oldest term once full.
        if terms >= shortest {
            buyingSums.x -= buying[age: shortest - 1]
            rangeSums.x -= ranges[age: shortest - 1]
        }
        if terms >= middle {
            buyingSums.y -= buying[age: middle - 1]
            rangeSums.y -= ranges[age: middle - 1]
        }
        if terms >= longest {
            buyingSums.z -= buying[age: longest - 1]
            rangeSums.z -= ranges[age: longest - 1]
        }
        return output
    }
}
