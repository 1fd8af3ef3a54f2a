/// Moving average convergence/divergence: line = fast − slow, signal = average of the line,
/// histogram = line − signal. Outputs (macd, signal, hist) all begin on the same bar
/// (33 for 12/26/9), because the fast average starts where the slow one does.
///
/// The arithmetic shared by `MACD` and `MACDExtended`, which differ only in their averages.
public struct MACDCore<Fast: ValueIndicator, Slow: ValueIndicator, Signal: ValueIndicator>: Sendable, Hashable
where
    Fast.Output == Double, Slow.Output == Double, Signal.Output == Double, Fast: Hashable, Slow: Hashable,
    Signal: Hashable
{
    @usableFromInline var averages: AlignedAverages<Fast, Slow>
    @usableFromInline var signal: Signal

    public init(fast: Fast, slow: Slow, signal: Signal) {
        averages = AlignedAverages(fast: fast, slow: slow)
        self.signal = signal
    }

    public var lookback: Int { averages.lookback + signal.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Triple? {
        guard let (fast, slow) = averages.update(value) else { return nil }
        let line = fast - slow
        guard let signalValue = signal.update(line) else { return nil }
        return Triple(line, signalValue, line - signalValue)
    }
}

/// MACD with EMAs (TA-Lib's MACD and MACDFIX).
public struct MACD: ValueIndicator, Hashable {
    public typealias Output = Triple

    @usableFromInline var core: MACDCore<EMA, EMA, EMA>

    /// Periods are swapped if `slow` < `fast`, as TA-Lib does.
    public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
        core = MACDCore(
            fast: EMA(period: min(fast, slow)), slow: EMA(period: max(fast, slow)), signal: EMA(period: signal))
    }

    init(core: MACDCore<EMA, EMA, EMA>) { self.core = core }

    /// MACDFIX: the classic 12/26 with TA-Lib's fixed smoothing factors 0.15 and 0.075.
    public static func fixed(signal: Int = 9) -> MACD {
        MACD(core: MACDCore(fast: EMA(period: 12, k: 0.15), slow: EMA(period: 26, k: 0.075), signal: EMA(period: signal)))
    }

    public var lookback: Int { core.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Triple? { core.update(value) }
}

/// MACD with a moving-average type per line (TA-Lib's MACDEXT).
public struct MACDExtended: ValueIndicator, Hashable {
    public typealias Output = Triple

    @usableFromInline var core: MACDCore<MovingAverage, MovingAverage, MovingAverage>

    /// If `slow` < `fast` the periods and their types are swapped, as TA-Lib does.
    public init(
        fast: Int = 12, fastType: MovingAverageType = .sma, slow: Int = 26, slowType: MovingAverageType = .sma,
        signal: Int = 9, signalType: MovingAverageType = .sma
    ) {
        let swap = slow < fast
        core = MACDCore(
            fast: MovingAverage(swap ? slowType : fastType, period: swap ? slow : fast),
            slow: MovingAverage(swap ? fastType : slowType, period: swap ? fast : slow),
            signal: MovingAverage(signalType, period: signal))
    }

    public var lookback: Int { core.lookback }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Triple? { core.update(value) }
}

/// TRIX: the one-bar rate of change, in percent, of a triple-smoothed EMA.
public struct TRIX: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var first: EMA
    @usableFromInline var second: EMA
    @usableFromInline var third: EMA
    /// The previous triple-smoothed value, once there is one.
    @usableFromInline var previous: Double?

    public init(period: Int = 30) {
        self.period = period
        first = EMA(period: period)
        second = EMA(period: period)
        third = EMA(period: period)
    }

    public var lookback: Int { 3 * (period - 1) + 1 }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let e1 = first.update(value), let e2 = second.update(e1), let e3 = third.update(e2) else {
            return nil
        }
        defer { previous = e3 }
        guard let previous else { return nil }
        return RateOfChange.change(.percent, from: previous, to: e3)
    }
}
