/// Ultimate oscillator: 100 · (4·A₁ + 2·A₂ + A₃) / 7 where Aₙ = Σ(close − true low) / Σ true range over
/// the shortest, middle and longest period (TA-Lib sorts the three periods); a term whose range sum
/// is zero counts as 0. True low = min(low, previous close). Computed with one division a bar
/// (the three ratios over a common denominator), within a few ulps of TA-Lib's four.
public struct UltimateOscillator: StreamingIndicator, Hashable {
    @usableFromInline let shortest: Int, middle: Int, longest: Int
    /// The last `longest` terms of each kind, both at `head` (one position for the two).
    @usableFromInline var buying: WindowCells
    @usableFromInline var ranges: WindowCells
    /// Where the next terms go.
    @usableFromInline var head = 0
    /// Running sums of buying pressure and true range for the shortest, middle and longest window.
    /// Scalars, not vectors: lane updates of a vector kept in memory cost shuffles and blends.
    @usableFromInline var buyingShort = 0.0, buyingMiddle = 0.0, buyingLong = 0.0
    @usableFromInline var rangeShort = 0.0, rangeMiddle = 0.0, rangeLong = 0.0
    @usableFromInline var previousClose = 0.0
    @usableFromInline var seen = 0

    public init(period1: Int = 7, period2: Int = 14, period3: Int = 28) {
        let sorted = [period1, period2, period3].sorted()
        precondition(sorted[0] >= 1, "the periods must be at least 1")
        shortest = sorted[0]
        middle = sorted[1]
        longest = sorted[2]
        buying = WindowCells(capacity: longest)
        ranges = WindowCells(capacity: longest)
    }

    public var lookback: Int { longest }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        defer { previousClose = bar.close }
        seen += 1
        if seen == 1 { return nil }
        let (pressure, range) = Self.terms(bar, previousClose: previousClose)
        let slot = head
        buying.withMutableCells { $0[slot] = pressure }
        ranges.withMutableCells { $0[slot] = range }
        head = slot + 1 == longest ? 0 : slot + 1
        buyingShort += pressure
        buyingMiddle += pressure
        buyingLong += pressure
        rangeShort += range
        rangeMiddle += range
        rangeLong += range
        let terms = seen - 1
        var output: Double? = nil
        if terms >= longest {
            output = Self.oscillator(
                buying: (buyingShort, buyingMiddle, buyingLong), ranges: (rangeShort, rangeMiddle, rangeLong))
        }
        // Each window drops its oldest term once full: the one `period − 1` slots before this bar's.
        func slotOf(age: Int) -> Int { slot - age < 0 ? slot - age + longest : slot - age }
        if terms >= shortest {
            let oldest = slotOf(age: shortest - 1)
            buyingShort -= buying.withMutableCells { $0[oldest] }
            rangeShort -= ranges.withMutableCells { $0[oldest] }
        }
        if terms >= middle {
            let oldest = slotOf(age: middle - 1)
            buyingMiddle -= buying.withMutableCells { $0[oldest] }
            rangeMiddle -= ranges.withMutableCells { $0[oldest] }
        }
        if terms >= longest {
            let oldest = slotOf(age: longest - 1)
            buyingLong -= buying.withMutableCells { $0[oldest] }
            rangeLong -= ranges.withMutableCells { $0[oldest] }
        }
        return output
    }

    /// A bar's buying pressure (close − true low) and true range.
    @inlinable @inline(__always)
    static func terms(_ bar: PriceBar, previousClose: Double) -> (pressure: Double, range: Double) {
        let trueLow = min(bar.low, previousClose)
        return (bar.close - trueLow, trueRange(high: bar.high, low: bar.low, previousClose: previousClose))
    }

    @inlinable @inline(__always)
    static func oscillator(buying: (Double, Double, Double), ranges: (Double, Double, Double)) -> Double {
        let (bx, by, bz) = buying
        let (rx, ry, rz) = ranges
        if !isTALibZero(rx), !isTALibZero(ry), !isTALibZero(rz) {
            // The three ratios over their common denominator: one division a bar instead of four
            // (the divider was the bound). Within a few ulps of TA-Lib's form; the guard keeps
            // ranges whose product leaves the normal doubles on TA-Lib's form.
            let ryz = ry * rz
            let denominator = rx * ryz
            if denominator.isNormal {
                let numerator = 4.0 * bx * ryz + (2.0 * by * rz + bz * ry) * rx
                return numerator / denominator * (100.0 / 7.0)
            }
        }
        var total = 0.0
        if !isTALibZero(rx) { total += 4.0 * (bx / rx) }
        if !isTALibZero(ry) { total += 2.0 * (by / ry) }
        if !isTALibZero(rz) { total += bz / rz }
        return 100.0 * (total / 7.0)
    }

    /// The batch kernel: every bar's terms into two scratch columns in one pass, then the streaming
    /// sums with those columns as the windows.
    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        let count = input.count
        output.update(repeating: .nan, count: min(longest, count))
        guard count > longest else { return }
        let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2 * count)
        defer { scratch.deallocate() }
        let pressures = scratch.baseAddress!
        let ranges = pressures + count
        for bar in 1..<count {
            let terms = Self.terms(input[unchecked: bar], previousClose: input.close[bar - 1])
            pressures[bar] = terms.pressure
            ranges[bar] = terms.range
        }
        var buyingSums = SIMD3<Double>()
        var rangeSums = SIMD3<Double>()
        // Warm-up: the term of bar 1 is the first; a window drops its oldest term once full.
        for bar in 1..<longest {
            buyingSums += SIMD3(repeating: pressures[bar])
            rangeSums += SIMD3(repeating: ranges[bar])
            if bar >= shortest {
                buyingSums.x -= pressures[bar - shortest + 1]
                rangeSums.x -= ranges[bar - shortest + 1]
            }
            if bar >= middle {
                buyingSums.y -= pressures[bar - middle + 1]
                rangeSums.y -= ranges[bar - middle + 1]
            }
        }
        // The warm loop keeps the six sums as scalars (lane by lane the same additions as the vectors
        // above): the vectors' broadcasts, gathers and lane shuffles cost more than the sums.
        var (bx, by, bz) = (buyingSums.x, buyingSums.y, buyingSums.z)
        var (rx, ry, rz) = (rangeSums.x, rangeSums.y, rangeSums.z)
        let (s, m, l) = (shortest - 1, middle - 1, longest - 1)
        for bar in longest..<count {
            let (pressure, range) = (pressures[bar], ranges[bar])
            (bx, by, bz) = (bx + pressure, by + pressure, bz + pressure)
            (rx, ry, rz) = (rx + range, ry + range, rz + range)
            output[bar] = Self.oscillator(buying: (bx, by, bz), ranges: (rx, ry, rz))
            (bx, by, bz) = (bx - pressures[bar - s], by - pressures[bar - m], bz - pressures[bar - l])
            (rx, ry, rz) = (rx - ranges[bar - s], ry - ranges[bar - m], rz - ranges[bar - l])
        }
    }
}
