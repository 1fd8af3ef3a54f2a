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
///
/// A tag and one optional per kind rather than an enum with payloads: updating `sma!` mutates in
/// place, where taking an enum payload out and putting it back copied its window every bar
/// (measured: 15 ns of a 17 ns update).
public struct MovingAverage: ValueIndicator, Hashable {
    public typealias Output = Double

    @usableFromInline enum Kind: Sendable, Hashable { case sma, ema, wma, dema, tema, trima, kama, t3, identity }

    @usableFromInline let kind: Kind
    @usableFromInline var sma: SMA?
    @usableFromInline var ema: EMA?
    @usableFromInline var wma: WMA?
    @usableFromInline var dema: DEMA?
    @usableFromInline var tema: TEMA?
    @usableFromInline var trima: TRIMA?
    @usableFromInline var kama: KAMA?
    @usableFromInline var t3: T3?
    public let lookback: Int

    /// TA-Lib answers a period-1 average with the input itself, whatever the type.
    public init(_ type: MovingAverageType, period: Int) {
        guard period > 1 else {
            kind = .identity
            lookback = 0
            return
        }
        switch type {
        case .sma: kind = .sma; sma = SMA(period: period); lookback = sma!.lookback
        case .ema: kind = .ema; ema = EMA(period: period); lookback = ema!.lookback
        case .wma: kind = .wma; wma = WMA(period: period); lookback = wma!.lookback
        case .dema: kind = .dema; dema = DEMA(period: period); lookback = dema!.lookback
        case .tema: kind = .tema; tema = TEMA(period: period); lookback = tema!.lookback
        case .trima: kind = .trima; trima = TRIMA(period: period); lookback = trima!.lookback
        case .kama: kind = .kama; kama = KAMA(period: period); lookback = kama!.lookback
        case .t3: kind = .t3; t3 = T3(period: period); lookback = t3!.lookback
        }
    }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        switch kind {
        case .sma: sma!.update(value)
        case .ema: ema!.update(value)
        case .wma: wma!.update(value)
        case .dema: dema!.update(value)
        case .tema: tema!.update(value)
        case .trima: trima!.update(value)
        case .kama: kama!.update(value)
        case .t3: t3!.update(value)
        case .identity: value
        }
    }
}
