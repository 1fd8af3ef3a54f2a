/// Raw stochastic %K: where the close sits in the range of the last `period` bars, in percent;
/// 0 when the range is flat (to TA-Lib's scaled epsilon). Written (close − lowest) / ((highest − lowest) / 100)
/// as TA-Lib does.
public struct RawStochastic: Sendable, Hashable {
    @usableFromInline var range: RangeWindow

    public init(period: Int) { range = RangeWindow(period: period) }

    public var lookback: Int { range.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(high: Double, low: Double, close: Double) -> Double? {
        guard let extremes = range.push(high: high, low: low) else { return nil }
        return Self.percentK(close: close, highest: extremes.high, lowest: extremes.low)
    }

    @inlinable @inline(__always)
    static func percentK(close: Double, highest: Double, lowest: Double) -> Double {
        let range = highest - lowest
        guard !isTALibZero(range, scale: abs(highest) + abs(lowest)) else { return 0 }
        return (close - lowest) / (range / 100.0)
    }

    /// The batch form: raw %K for every bar from `lookback` on, handed to `body`.
    @inlinable @inline(__always)
    func forEachPercentK(_ input: PriceColumns, _ body: (_ bar: Int, _ k: Double) -> Void) {
        forEachRange(high: input.high, low: input.low, period: range.period, from: lookback) { bar, highest, lowest in
            body(bar, Self.percentK(close: input.close[bar], highest: highest, lowest: lowest))
        }
    }
}

/// Fast stochastic (STOCHF): %K and %D = average of %K. Outputs (fastk, fastd).
public struct FastStochastic: StreamingIndicator, Hashable {
    @usableFromInline var k: RawStochastic
    @usableFromInline var d: MovingAverage

    public init(fastK: Int = 5, fastD: Int = 3, type: MovingAverageType = .sma) {
        k = RawStochastic(period: fastK)
        d = MovingAverage(type, period: fastD)
    }

    public var lookback: Int { k.lookback + d.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Pair? {
        update(high: bar.high, low: bar.low, close: bar.close)
    }

    @inlinable @inline(__always)
    public mutating func update(high: Double, low: Double, close: Double) -> Pair? {
        guard let fastK = k.update(high: high, low: low, close: close), let fastD = d.update(fastK) else {
            return nil
        }
        return Pair(fastK, fastD)
    }

    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        for column in columns { column.update(repeating: .nan, count: input.count) }
        var d = d
        k.forEachPercentK(input) { bar, fastK in
            guard let fastD = d.update(fastK) else { return }
            columns[0][bar] = fastK
            columns[1][bar] = fastD
        }
    }
}

/// Slow stochastic (STOCH): slow %K = average of raw %K, slow %D = average of slow %K.
/// Outputs (slowk, slowd).
public struct Stochastic: StreamingIndicator, Hashable {
    @usableFromInline var k: RawStochastic
    @usableFromInline var slowK: MovingAverage
    @usableFromInline var slowD: MovingAverage

    public init(
        fastK: Int = 5, slowK: Int = 3, slowKType: MovingAverageType = .sma, slowD: Int = 3,
        slowDType: MovingAverageType = .sma
    ) {
        k = RawStochastic(period: fastK)
        self.slowK = MovingAverage(slowKType, period: slowK)
        self.slowD = MovingAverage(slowDType, period: slowD)
    }

    public var lookback: Int { k.lookback + slowK.lookback + slowD.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Pair? {
        guard let raw = k.update(high: bar.high, low: bar.low, close: bar.close), let smoothK = slowK.update(raw),
            let smoothD = slowD.update(smoothK)
        else { return nil }
        return Pair(smoothK, smoothD)
    }

    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        for column in columns { column.update(repeating: .nan, count: input.count) }
        var slowK = slowK
        var slowD = slowD
        k.forEachPercentK(input) { bar, raw in
            guard let smoothK = slowK.update(raw), let smoothD = slowD.update(smoothK) else { return }
            columns[0][bar] = smoothK
            columns[1][bar] = smoothD
        }
    }
}

/// Stochastic RSI (STOCHRSI): the fast stochastic of RSI values. Outputs (fastk, fastd).
public struct StochasticRSI: ValueIndicator, Hashable {
    public typealias Output = Pair

    @usableFromInline var rsi: GainLossOscillator
    @usableFromInline var stochastic: FastStochastic

    public init(period: Int = 14, fastK: Int = 5, fastD: Int = 3, type: MovingAverageType = .sma) {
        rsi = GainLossOscillator(.rsi, period: period)
        stochastic = FastStochastic(fastK: fastK, fastD: fastD, type: type)
    }

    public var lookback: Int { rsi.lookback + stochastic.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Pair? {
        guard let strength = rsi.update(value) else { return nil }
        return stochastic.update(high: strength, low: strength, close: strength)
    }
}

/// Williams %R: (highest − close) / ((highest − lowest) / −100); 0 when the range is flat.
public struct WilliamsR: StreamingIndicator, Hashable {
    @usableFromInline var range: RangeWindow

    public init(period: Int = 14) { range = RangeWindow(period: period) }

    public var lookback: Int { range.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let extremes = range.push(high: bar.high, low: bar.low) else { return nil }
        return Self.percentR(close: bar.close, highest: extremes.high, lowest: extremes.low)
    }

    @inlinable @inline(__always)
    static func percentR(close: Double, highest: Double, lowest: Double) -> Double {
        let range = highest - lowest
        guard !isTALibZero(range, scale: abs(highest) + abs(lowest)) else { return 0 }
        return (highest - close) / (range / -100.0)
    }

    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        runOverRange(high: input.high, low: input.low, period: range.period, into: columns) { bar, highest, lowest in
            Self.percentR(close: input.close[bar], highest: highest, lowest: lowest)
        }
    }
}
