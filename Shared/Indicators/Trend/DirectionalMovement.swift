/// Wilder's directional movement, the shared core of PLUS_DM, MINUS_DM, PLUS_DI, MINUS_DI, DX,
/// ADX and ADXR.
///
/// One-bar movement: up = high − previous high, down = previous low − low; +DM1 = up when up > 0 and
/// up > down, −DM1 = down when down > 0 and down > up (otherwise 0). The first `period − 1` DM1 and
/// true ranges are summed (bars 1…period−1); from bar `period` on each sum is smoothed as
/// s = s · (1 − 1/period) + today's value. TA-Lib writes s − s/period + value: the same up to
/// rounding, but a division on the critical path makes every bar wait for the last (3× slower).
public struct DirectionalMovement: Sendable, Hashable {
    public let period: Int
    @usableFromInline var plus = 0.0
    @usableFromInline var minus = 0.0
    @usableFromInline var range = 0.0
    /// Bars seen so far, counting the current one.
    @usableFromInline var bars = 0
    @usableFromInline var previous = PriceBar(value: 0)
    @usableFromInline let decay: Double

    public init(period: Int) {
        precondition(period >= 2, "the period must be at least 2")
        self.period = period
        decay = 1.0 - 1.0 / Double(period)
    }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) {
        defer { previous = bar }
        bars += 1
        if bars == 1 { return }
        let up = bar.high - previous.high
        let down = previous.low - bar.low
        let range = trueRange(high: bar.high, low: bar.low, previousClose: previous.close)
        // Which way a bar moves is a coin toss on market data, so no branch decides it: the move is
        // multiplied by its condition as 0 or 1 (`up > max(down, 0)` is `up > 0 && up > down`).
        let plusMove = up * Double(UInt8(up > max(down, 0) ? 1 : 0))
        let minusMove = down * Double(UInt8(down > max(up, 0) ? 1 : 0))
        if bars > period {
            plus = plusMove.addingProduct(plus, decay)
            minus = minusMove.addingProduct(minus, decay)
            self.range = range.addingProduct(self.range, decay)
        } else {
            plus += plusMove
            minus += minusMove
            self.range += range
        }
    }

    /// True once the sums are smoothed (bar `period` on): when DI and DX are defined.
    @inlinable
    public var isSmoothed: Bool { bars > period }

    /// (+DI, −DI) in percent, or nil when the smoothed true range is zero.
    @inlinable
    public var indicators: (plus: Double, minus: Double)? {
        guard !isTALibZero(range) else { return nil }
        return (100.0 * (plus / range), 100.0 * (minus / range))
    }

    /// DX = 100 · |−DI − +DI| / (−DI + +DI), or nil when undefined (flat range or no movement).
    @inlinable
    public var index: Double? {
        guard let (plusDI, minusDI) = indicators else { return nil }
        let sum = minusDI + plusDI
        return isTALibZero(sum) ? nil : 100.0 * (abs(minusDI - plusDI) / sum)
    }
}

/// PLUS_DM and MINUS_DM: the summed, then Wilder-smoothed one-bar directional movement.
public struct DirectionalMovementSum: StreamingIndicator, Hashable {
    public enum Direction: Sendable, Hashable { case plus, minus }

    public let direction: Direction
    @usableFromInline var core: DirectionalMovement

    public init(_ direction: Direction, period: Int = 14) {
        self.direction = direction
        core = DirectionalMovement(period: period)
    }

    public var lookback: Int { core.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        core.update(bar)
        guard core.bars >= core.period else { return nil }
        return direction == .plus ? core.plus : core.minus
    }
}

/// PLUS_DI and MINUS_DI: 100 · smoothed DM / smoothed true range; 0 when the range is exactly zero.
public struct DirectionalIndicator: StreamingIndicator, Hashable {
    public let direction: DirectionalMovementSum.Direction
    @usableFromInline var core: DirectionalMovement

    public init(_ direction: DirectionalMovementSum.Direction, period: Int = 14) {
        self.direction = direction
        core = DirectionalMovement(period: period)
    }

    public var lookback: Int { core.period }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        core.update(bar)
        guard core.isSmoothed else { return nil }
        // Unlike DX and ADX, TA-Lib's DI divides by any non-zero range.
        guard core.range != 0 else { return 0 }
        return 100.0 * ((direction == .plus ? core.plus : core.minus) / core.range)
    }
}

/// DX; where it is undefined TA-Lib repeats the previous value (0 on the first bar).
public struct DirectionalIndex: StreamingIndicator, Hashable {
    @usableFromInline var core: DirectionalMovement
    @usableFromInline var last = 0.0

    public init(period: Int = 14) { core = DirectionalMovement(period: period) }

    public var lookback: Int { core.period }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        core.update(bar)
        guard core.isSmoothed else { return nil }
        if let index = core.index { last = index }
        return last
    }
}

/// ADX: the mean of the first `period` DX values (an undefined DX counts 0), then Wilder smoothing
/// adx · (1 − 1/period) + dx / period (no division on the critical path); an undefined DX leaves
/// ADX unchanged.
public struct AverageDirectionalIndex: StreamingIndicator, Hashable {
    @usableFromInline var core: DirectionalMovement
    @usableFromInline var average = 0.0
    @usableFromInline var indexCount = 0
    @usableFromInline let weight: Double

    public init(period: Int = 14) {
        core = DirectionalMovement(period: period)
        weight = 1.0 / Double(period)
    }

    public var lookback: Int { 2 * core.period - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        core.update(bar)
        guard core.isSmoothed else { return nil }
        let period = core.period
        indexCount += 1
        if indexCount <= period {
            average += core.index ?? 0
            guard indexCount == period else { return nil }
            average /= Double(period)
            return average
        }
        if let index = core.index {
            average = (index * weight).addingProduct(average, core.decay)
        }
        return average
    }
}

/// ADXR: the mean of today's ADX and the ADX of `period − 1` bars ago.
public struct AverageDirectionalIndexRating: StreamingIndicator, Hashable {
    @usableFromInline var adx: AverageDirectionalIndex
    @usableFromInline var history: RingBuffer

    public init(period: Int = 14) {
        adx = AverageDirectionalIndex(period: period)
        history = RingBuffer(capacity: period)
    }

    public var lookback: Int { adx.lookback + history.capacity - 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        guard let today = adx.update(bar) else { return nil }
        history.push(today)
        guard history.isFull else { return nil }
        return (today + history.oldest) / 2.0
    }
}
