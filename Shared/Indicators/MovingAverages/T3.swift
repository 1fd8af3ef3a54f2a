/// Tillson's T3: six EMAs in a chain, combined with weights from the volume factor v:
/// c1·e6 + c2·e5 + c3·e4 + c4·e3 with c1 = −v³, c2 = 3v² + 3v³, c3 = −6v² − 3v − 3v³,
/// c4 = 1 + 3v + v³ + 3v².
///
/// As in TA-Lib, each EMA of the chain is seeded with the mean of its first `period` inputs and
/// updated as k·x + (1 − k)·e.
public struct T3: ValueIndicator, Hashable {
    public typealias Output = Double

    public let period: Int
    public let volumeFactor: Double
    @usableFromInline let k: Double
    @usableFromInline let c1, c2, c3, c4: Double
    /// The six EMAs of the chain; e(n) is defined once `ready >= n`.
    @usableFromInline var e1 = 0.0, e2 = 0.0, e3 = 0.0, e4 = 0.0, e5 = 0.0, e6 = 0.0
    /// How many of the EMAs are seeded.
    @usableFromInline var ready = 0
    /// Inputs summed so far towards the next seed.
    @usableFromInline var seedCount = 0
    @usableFromInline var seedSum = 0.0

    public init(period: Int = 5, volumeFactor: Double = 0.7) {
        precondition(period >= 1, "T3 period must be at least 1")
        self.period = period
        self.volumeFactor = volumeFactor
        k = 2.0 / (1.0 + Double(period))
        let v = volumeFactor
        let v2 = v * v
        let v3 = v2 * v
        c1 = -v3
        c2 = 3.0 * (v2 + v3)
        c3 = -6.0 * v2 - 3.0 * (v + v3)
        c4 = 1.0 + 3.0 * v + v3 + 3.0 * v2
    }

    public var lookback: Int { 6 * (period - 1) }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        let oneMinusK = 1.0 - k
        if ready == 6 {
            e1 = (k * value).addingProduct(oneMinusK, e1)
            e2 = (k * e1).addingProduct(oneMinusK, e2)
            e3 = (k * e2).addingProduct(oneMinusK, e3)
            e4 = (k * e3).addingProduct(oneMinusK, e4)
            e5 = (k * e4).addingProduct(oneMinusK, e5)
            e6 = (k * e5).addingProduct(oneMinusK, e6)
            return output
        }
        // Warm-up: advance the seeded EMAs; the newest one's outputs build the next seed, which (as in
        // TA-Lib) is the mean of that EMA's seed value and its next period − 1 outputs.
        var newest = value
        if ready >= 1 { e1 = (k * newest).addingProduct(oneMinusK, e1); newest = e1 }
        if ready >= 2 { e2 = (k * newest).addingProduct(oneMinusK, e2); newest = e2 }
        if ready >= 3 { e3 = (k * newest).addingProduct(oneMinusK, e3); newest = e3 }
        if ready >= 4 { e4 = (k * newest).addingProduct(oneMinusK, e4); newest = e4 }
        if ready >= 5 { e5 = (k * newest).addingProduct(oneMinusK, e5); newest = e5 }
        seedSum += newest
        seedCount += 1
        guard seedCount == (ready == 0 ? period : period - 1) else { return nil }
        repeat {
            ready += 1
            let seed = seedSum / Double(period)
            setLevel(ready, seed)
            seedSum = seed
            seedCount = 0
        } while ready < 6 && period == 1  // with period 1 every seed is the first value
        return ready == 6 ? output : nil
    }

    /// c1·e6 + c2·e5 + c3·e4 + c4·e3, each product after the first fused into its addition.
    @inlinable
    var output: Double { (c1 * e6).addingProduct(c2, e5).addingProduct(c3, e4).addingProduct(c4, e3) }

    @inlinable
    mutating func setLevel(_ level: Int, _ value: Double) {
        switch level {
        case 1: e1 = value
        case 2: e2 = value
        case 3: e3 = value
        case 4: e4 = value
        case 5: e5 = value
        default: e6 = value
        }
    }
}
