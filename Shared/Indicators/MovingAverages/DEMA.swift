/// Double EMA: 2·EMA − EMA(EMA). The second EMA is seeded from the first one's outputs.
public struct DEMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var first: EMA
    @usableFromInline var second: EMA

    public init(period: Int = 30) {
        self.period = period
        first = EMA(period: period)
        second = EMA(period: period)
    }

    public var lookback: Int { 2 * (period - 1) }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let e1 = first.update(value), let e2 = second.update(e1) else { return nil }
        return 2.0 * e1 - e2
    }
}

/// Triple EMA: 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA)).
public struct TEMA: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    @usableFromInline var first: EMA
    @usableFromInline var second: EMA
    @usableFromInline var third: EMA

    public init(period: Int = 30) {
        self.period = period
        first = EMA(period: period)
        second = EMA(period: period)
        third = EMA(period: period)
    }

    public var lookback: Int { 3 * (period - 1) }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let e1 = first.update(value), let e2 = second.update(e1), let e3 = third.update(e2) else {
            return nil
        }
        return e3 + (3.0 * e1 - 3.0 * e2)
    }
}
