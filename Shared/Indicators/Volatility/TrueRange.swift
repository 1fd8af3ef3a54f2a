/// True range (TRANGE): the greatest of high − low and the distances of high and low from the
/// previous close. First value on the second bar.
public struct TrueRange: StreamingIndicator, Hashable {
    @usableFromInline var previousClose: Double? = nil

    public init() {}

    public var lookback: Int { 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        defer { previousClose = bar.close }
        guard let previousClose else { return nil }
        return trueRange(high: bar.high, low: bar.low, previousClose: previousClose)
    }

    /// The batch kernel: four bars at a time, each against the close before it.
    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        let count = input.count
        output.update(repeating: .nan, count: min(1, count))
        func lanes(_ column: UnsafeBufferPointer<Double>, from bar: Int) -> SIMD4<Double> {
            UnsafeRawPointer(column.baseAddress! + bar).loadUnaligned(as: SIMD4<Double>.self)
        }
        var bar = 1
        while bar + 4 <= count {
            let ranges = trueRange(
                high: lanes(input.high, from: bar), low: lanes(input.low, from: bar),
                previousClose: lanes(input.close, from: bar - 1))
            UnsafeMutableRawPointer(output + bar).storeBytes(of: ranges, as: SIMD4<Double>.self)
            bar += 4
        }
        while bar < count {
            output[bar] = trueRange(high: input.high[bar], low: input.low[bar], previousClose: input.close[bar - 1])
            bar += 1
        }
    }
}

/// Average true range: the mean of the first `period` true ranges, then Wilder smoothing
/// atr = atr · (period − 1)/period + tr / period (TA-Lib divides the sum, which puts a division on
/// the critical path; same value up to rounding). NATR is ATR / close · 100 (0 for a zero close).
public struct AverageTrueRange: StreamingIndicator, Hashable {
    public let period: Int
    public let normalized: Bool
    @usableFromInline var range = TrueRange()
    @usableFromInline var seen = 0
    @usableFromInline var average = 0.0
    @usableFromInline let decay: Double
    @usableFromInline let weight: Double

    public init(period: Int = 14, normalized: Bool = false) {
        precondition(period >= 1, "ATR period must be at least 1")
        self.period = period
        self.normalized = normalized
        decay = Double(period - 1) / Double(period)
        weight = 1.0 / Double(period)
    }

    public var lookback: Int { period }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let value = range.update(bar) else { return nil }
        seen += 1
        if seen < period {
            average += value
            return nil
        }
        if seen == period {
            average = (average + value) / Double(period)
        } else {
            average = (value * weight).addingProduct(average, decay)
        }
        guard normalized else { return average }
        return Self.normalize(average, close: bar.close)
    }

    @inlinable @inline(__always)
    static func normalize(_ average: Double, close: Double) -> Double {
        isTALibZero(close) ? 0 : (average / close) * 100.0
    }

    /// The batch kernel: `update`'s arithmetic in the same order, its state in locals. Through
    /// `update` the state went to memory on every bar (the output column might alias the indicator),
    /// and with those stores the loop no longer hid behind the smoothing's chain of fused
    /// multiply-adds: ATR 1.13 → 1.03 ns a bar, NATR 1.42 → 1.22 (TA-Lib 1.07 and 1.24).
    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let (output, count, normalized) = (columns[0], input.count, normalized)
        output.update(repeating: .nan, count: min(period, count))
        guard count > period else { return }
        let (high, low, close) = (input.high, input.low, input.close)
        func range(_ bar: Int) -> Double {
            trueRange(high: high[bar], low: low[bar], previousClose: close[bar &- 1])
        }
        func finish(_ average: Double, at bar: Int) -> Double {
            normalized ? Self.normalize(average, close: close[bar]) : average
        }
        var average = 0.0
        for bar in 1..<period { average += range(bar) }
        average = (average + range(period)) / Double(period)
        output[period] = finish(average, at: period)
        for bar in (period + 1)..<count {
            average = (range(bar) * weight).addingProduct(average, decay)
            output[bar] = finish(average, at: bar)
        }
    }
}
