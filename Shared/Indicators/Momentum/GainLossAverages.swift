/// Wilder-smoothed average gain and loss of a series, the core of RSI and CMO.
///
/// The first averages are plain means of the first `period` changes; after that
/// avg = avg · (period − 1)/period + change / period. TA-Lib divides the sum, which puts a division
/// on the critical path; the values agree up to rounding.
public struct GainLossAverages: Sendable, Hashable {
    public let period: Int
    @usableFromInline var previous = 0.0
    @usableFromInline var seen = 0
    @usableFromInline var gain = 0.0
    @usableFromInline var loss = 0.0
    @usableFromInline let decay: Double
    @usableFromInline let weight: Double

    public init(period: Int) {
        precondition(period >= 2, "the period must be at least 2")
        self.period = period
        decay = Double(period - 1) / Double(period)
        weight = 1.0 / Double(period)
    }

    /// Returns the averages once `period` changes have been seen.
    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> (gain: Double, loss: Double)? {
        defer { previous = value }
        seen += 1
        if seen == 1 { return nil }
        let change = value - previous
        if seen <= period + 1 {
            if change < 0 { loss -= change } else { gain += change }
            guard seen == period + 1 else { return nil }
            loss /= Double(period)
            gain /= Double(period)
            return (gain, loss)
        }
        // Selects, not branches: up or down is a coin toss on market data.
        let falling = change < 0
        gain = ((falling ? 0 : change) * weight).addingProduct(gain, decay)
        loss = ((falling ? -change : 0) * weight).addingProduct(loss, decay)
        return (gain, loss)
    }
}

/// RSI and CMO, which TA-Lib computes alike from Wilder's average gain and loss:
/// RSI = 100 · gain / (gain + loss), CMO = 100 · (gain − loss) / (gain + loss). 0 only when both
/// averages are exactly zero (TA-Lib divides by any non-zero total, however small).
public struct GainLossOscillator: ValueIndicator, Hashable {
    public typealias Output = Double

    public enum Form: Sendable, Hashable {
        /// Relative strength index.
        case rsi
        /// Chande momentum oscillator (TA-Lib's, with Wilder averages).
        case cmo
    }

    public let form: Form
    @usableFromInline var averages: GainLossAverages

    public init(_ form: Form, period: Int = 14) {
        self.form = form
        averages = GainLossAverages(period: period)
    }

    public var lookback: Int { averages.period }

    @inlinable @inline(__always)
    public mutating func update(_ value: Double) -> Double? {
        guard let (gain, loss) = averages.update(value) else { return nil }
        let total = gain + loss
        guard total != 0 else { return 0 }
        return form == .rsi ? 100.0 * (gain / total) : 100.0 * ((gain - loss) / total)
    }
}
