/// TA-Lib's moving-average types, by their TA-Lib numbers (the `matype` parameter).
/// MAMA (7) is not offered: it is an adaptive Hilbert-transform average with two outputs, not a
/// smoothing a caller can swap in.
public enum MovingAverageType: Int, Sendable, Hashable, CaseIterable {
    case sma = 0, ema = 1, wma = 2, dema = 3, tema = 4, trima = 5, kama = 6, t3 = 8

    public var name: String {
        switch self {
        case .sma: "SMA"
        case .ema: "EMA"
        case .wma: "WMA"
        case .dema: "DEMA"
        case .tema: "TEMA"
        case .trima: "TRIMA"
        case .kama: "KAMA"
        case .t3: "T3"
        }
    }
}

/// A moving average of a type chosen at run time, for the indicators that take `matype`.
public enum MovingAverage: ValueIndicator, Hashable {
    public typealias Output = Double

    case sma(SMA)
    case ema(EMA)
    case wma(WMA)
    case dema(DEMA)
    case tema(TEMA)
    case trima(TRIMA)
    case kama(KAMA)
    case t3(T3)
    /// TA-Lib answers a period-1 average with the input itself, whatever the type.
    case identity

    public init(_ type: MovingAverageType, period: Int) {
        if period == 1 {
            self = .identity
            return
        }
        switch type {
        case .sma: self = .sma(SMA(period: period))
        case .ema: self = .ema(EMA(period: period))
        case .wma: self = .wma(WMA(period: period))
        case .dema: self = .dema(DEMA(period: period))
        case .tema: self = .tema(TEMA(period: period))
        case .trima: self = .trima(TRIMA(period: period))
        case .kama: self = .kama(KAMA(period: period))
        case .t3: self = .t3(T3(period: period))
        }
    }

    public var lookback: Int {
        switch self {
        case .sma(let m): m.lookback
        case .ema(let m): m.lookback
        case .wma(let m): m.lookback
        case .dema(let m): m.lookback
        case .tema(let m): m.lookback
        case .trima(let m): m.lookback
        case .kama(let m): m.lookback
        case .t3(let m): m.lookback
        case .identity: 0
        }
    }

    @inlinable
    public mutating func update(_ value: Double) -> Double? {
        // Take the payload out, update it, put it back: no copy of its window on the way.
        switch consume self {
        case .sma(var m):
            defer { self = .sma(m) }
            return m.update(value)
        case .ema(var m):
            defer { self = .ema(m) }
            return m.update(value)
        case .wma(var m):
            defer { self = .wma(m) }
            return m.update(value)
        case .dema(var m):
            defer { self = .dema(m) }
            return m.update(value)
        case .tema(var m):
            defer { self = .tema(m) }
            return m.update(value)
        case .trima(var m):
            defer { self = .trima(m) }
            return m.update(value)
        case .kama(var m):
            defer { self = .kama(m) }
            return m.update(value)
        case .t3(var m):
            defer { self = .t3(m) }
            return m.update(value)
        case .identity:
            self = .identity
            return value
        }
    }
}
