/// Parabolic SAR (Wilder), as TA-Lib runs it.
///
/// The first direction is short if the second bar shows a −DM (its low fell further than its high
/// rose), long otherwise. Long: the SAR starts at the first bar's low with the extreme point at the
/// second bar's high; each bar, SAR += af · (ep − SAR), never above the last two lows; a new high
/// becomes the extreme point and raises af by `acceleration` up to `maximum`. A low at or under the
/// SAR reverses: the SAR jumps to the extreme point (kept above the last two highs), af resets.
/// Short is the mirror image. The value reported for a bar is the SAR in force during it.
public struct ParabolicSAR: StreamingIndicator, Hashable {
    public let acceleration: Double
    public let maximum: Double
    @usableFromInline var bars = 0
    @usableFromInline var isLong = true
    @usableFromInline var sar = 0.0
    @usableFromInline var extreme = 0.0
    @usableFromInline var factor = 0.0
    /// The previous bar's high and low (all of it the SAR needs).
    @usableFromInline var lastHigh = 0.0
    @usableFromInline var lastLow = 0.0

    public init(acceleration: Double = 0.02, maximum: Double = 0.2) {
        precondition(acceleration >= 0 && maximum >= 0, "the factors must not be negative")
        // TA-Lib caps the step at the maximum.
        self.acceleration = min(acceleration, maximum)
        self.maximum = maximum
        factor = self.acceleration
    }

    public var lookback: Int { 1 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        defer { (lastHigh, lastLow) = (bar.high, bar.low) }
        bars += 1
        if bars == 1 { return nil }
        var previousHigh = lastHigh
        var previousLow = lastLow
        if bars == 2 {
            let up = bar.high - lastHigh
            let down = lastLow - bar.low
            isLong = !(down > 0 && up < down)
            if isLong {
                extreme = bar.high
                sar = lastLow
            } else {
                extreme = bar.low
                sar = lastHigh
            }
            // On the first bar TA-Lib compares against this bar for both "last two".
            previousHigh = bar.high
            previousLow = bar.low
        }
        let high = bar.high
        let low = bar.low
        let reported: Double
        if isLong {
            if low <= sar {
                isLong = false
                sar = max(extreme, previousHigh, high)
                reported = sar
                factor = acceleration
                extreme = low
                sar = sar.addingProduct(factor, extreme - sar)
                sar = max(sar, previousHigh, high)
            } else {
                reported = sar
                // A new extreme comes often and unpredictably: selected, not branched on.
                let raised = high > extreme
                extreme = raised ? high : extreme
                factor = raised ? min(factor + acceleration, maximum) : factor
                sar = sar.addingProduct(factor, extreme - sar)
                sar = min(sar, previousLow, low)
            }
        } else {
            if high >= sar {
                isLong = true
                sar = min(extreme, previousLow, low)
                reported = sar
                factor = acceleration
                extreme = high
                sar = sar.addingProduct(factor, extreme - sar)
                sar = min(sar, previousLow, low)
            } else {
                reported = sar
                let lowered = low < extreme
                extreme = lowered ? low : extreme
                factor = lowered ? min(factor + acceleration, maximum) : factor
                sar = sar.addingProduct(factor, extreme - sar)
                sar = max(sar, previousHigh, high)
            }
        }
        return reported
    }
}
