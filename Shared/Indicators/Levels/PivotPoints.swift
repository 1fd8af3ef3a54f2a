/// Pivot points (not in TA-Lib) for the current bar, from the previous bar's high H, low L and
/// close C; feed daily bars to get the usual daily levels. P = (H + L + C) / 3.
///
/// - classic:   R1 = 2P − L, S1 = 2P − H, R2 = P + (H − L), S2 = P − (H − L),
///              R3 = H + 2(P − L), S3 = L − 2(H − P)
/// - fibonacci: Rn = P + f·(H − L), Sn = P − f·(H − L) with f = 0.382, 0.618, 1.000
///
/// Outputs: pivot, r1, r2, r3, s1, s2, s3. Camarilla levels are `CamarillaPivotPoints`.
public struct PivotPoints: StreamingIndicator, Hashable {
    public enum Method: String, Sendable, Hashable { case classic, fibonacci }

    public let method: Method
    @usableFromInline var previous = PreviousBar()

    public init(_ method: Method) { self.method = method }

    public var lookback: Int { 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Levels<SIMD8<Double>>? {
        guard let (high, low, close) = previous.swap(bar) else { return nil }
        let pivot = (high + low + close) / 3.0
        let range = high - low
        switch method {
        case .classic:
            return Levels(
                SIMD8(
                    pivot, 2 * pivot - low, pivot + range, high + 2 * (pivot - low),
                    2 * pivot - high, pivot - range, low - 2 * (high - pivot), .nan))
        case .fibonacci:
            return Levels(
                SIMD8(
                    pivot, pivot + 0.382 * range, pivot + 0.618 * range, pivot + range,
                    pivot - 0.382 * range, pivot - 0.618 * range, pivot - range, .nan))
        }
    }
}

/// Camarilla pivot points from the previous bar: Rn = C + (H − L)·1.1/d, Sn = C − (H − L)·1.1/d with
/// d = 12, 6, 4, 2 for n = 1…4, and P = (H + L + C) / 3.
/// Outputs: pivot, r1, r2, r3, r4, s1, s2, s3, s4.
public struct CamarillaPivotPoints: StreamingIndicator, Hashable {
    @usableFromInline var previous = PreviousBar()

    public init() {}

    public var lookback: Int { 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Levels<SIMD16<Double>>? {
        guard let (high, low, close) = previous.swap(bar) else { return nil }
        let step = (high - low) * 1.1
        let pivot = (high + low + close) / 3.0
        return Levels(
            SIMD16(
                lowHalf: SIMD8(
                    pivot, close + step / 12, close + step / 6, close + step / 4, close + step / 2,
                    close - step / 12, close - step / 6, close - step / 4),
                highHalf: SIMD8(close - step / 2, .nan, .nan, .nan, .nan, .nan, .nan, .nan)))
    }
}

/// Remembers the last bar's high, low and close.
public struct PreviousBar: Sendable, Hashable {
    @usableFromInline var bar: PriceBar? = nil

    public init() {}

    /// Stores `bar` and returns the one before it.
    @inlinable @inline(__always)
    mutating func swap(_ bar: PriceBar) -> (high: Double, low: Double, close: Double)? {
        defer { self.bar = bar }
        guard let previous = self.bar else { return nil }
        return (previous.high, previous.low, previous.close)
    }
}

/// A bar's worth of price levels: 7 in a SIMD8 (the last lane unused), 9 in a SIMD16.
public struct Levels<Storage: SIMD & Sendable>: IndicatorOutput, Hashable where Storage.Scalar == Double {
    @usableFromInline var values: Storage

    @inlinable
    init(_ values: Storage) { self.values = values }

    public static var width: Int { Storage.scalarCount == 8 ? 7 : 9 }

    @inlinable
    public subscript(_ index: Int) -> Double { values[index] }
}
