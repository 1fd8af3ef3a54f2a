/// On-balance volume: starts at the first bar's volume, then adds the volume of an up close and
/// subtracts that of a down close.
public struct OnBalanceVolume: StreamingIndicator, Hashable {
    @usableFromInline var total = 0.0
    @usableFromInline var previousClose: Double? = nil

    public init() {}

    public var lookback: Int { 0 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        if let previousClose {
            // Up or down is a coin toss on market data, so no branch decides it: the volume is
            // multiplied by +1, −1 or 0 (exactly TA-Lib's add, subtract or nothing).
            let up = Double(UInt8(bar.close > previousClose ? 1 : 0))
            let down = Double(UInt8(bar.close < previousClose ? 1 : 0))
            total += bar.volume * (up - down)
        } else {
            total = bar.volume
        }
        previousClose = bar.close
        return total
    }
}

/// Chaikin accumulation/distribution line: Σ ((close − low) − (high − close)) / (high − low) · volume,
/// skipping bars with no range.
public struct AccumulationDistribution: StreamingIndicator, Hashable {
    @usableFromInline var total = 0.0

    public init() {}

    public var lookback: Int { 0 }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let range = bar.high - bar.low
        if range > 0 {
            total += (((bar.close - bar.low) - (bar.high - bar.close)) / range) * bar.volume
        }
        return total
    }
}

/// Chaikin A/D oscillator: fast EMA − slow EMA of the A/D line. Unlike EMA, TA-Lib seeds both with
/// the first A/D value (not a mean) and updates them as k·x + (1 − k)·e; the first value comes after
/// max(fast, slow) − 1 bars.
public struct ChaikinOscillator: StreamingIndicator, Hashable {
    @usableFromInline var line = AccumulationDistribution()
    @usableFromInline let fastK: Double
    @usableFromInline let slowK: Double
    @usableFromInline var fast = 0.0
    @usableFromInline var slow = 0.0
    @usableFromInline var seen = 0
    public let lookback: Int

    public init(fast: Int = 3, slow: Int = 10) {
        precondition(fast >= 2 && slow >= 2, "ADOSC periods must be at least 2")
        fastK = 2.0 / Double(fast + 1)
        slowK = 2.0 / Double(slow + 1)
        lookback = max(fast, slow) - 1
    }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let value = line.update(bar)!
        seen += 1
        if seen == 1 {
            fast = value
            slow = value
        } else {
            (fast, slow) = smooth(fast: fast, slow: slow, value)
        }
        return seen > lookback ? fast - slow : nil
    }

    /// Both averages one bar on: k·x + (1 − k)·e, the second product fused into the addition.
    @inlinable @inline(__always)
    func smooth(fast: Double, slow: Double, _ value: Double) -> (Double, Double) {
        ((fastK * value).addingProduct(1 - fastK, fast), (slowK * value).addingProduct(1 - slowK, slow))
    }

    /// The batch kernel: the streaming arithmetic without its per-bar bookkeeping (first bar, warm-up
    /// test, optional result), the warm-up and warm bars in loops of their own.
    @inlinable
    public func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) {
        let output = columns[0]
        let count = input.count
        output.update(repeating: .nan, count: min(lookback, count))
        guard count > 0 else { return }
        var line = AccumulationDistribution()
        var fast = line.update(input[unchecked: 0])!
        var slow = fast
        // Both periods are at least 2, so the lookback is at least 1: bar 0 is warm-up.
        for bar in 1..<min(lookback, count) {
            (fast, slow) = smooth(fast: fast, slow: slow, line.update(input[unchecked: bar])!)
        }
        var bar = lookback
        while bar < count {
            (fast, slow) = smooth(fast: fast, slow: slow, line.update(input[unchecked: bar])!)
            output[bar] = fast - slow
            bar += 1
        }
    }
}

/// Volume-weighted average price (not in TA-Lib): Σ typical price · volume / Σ volume with typical
/// price (high + low + close) / 3. Over the last `period` bars, or since the first bar when `period`
/// is 0 (anchored: feed it one session to get the session VWAP). With no volume in the window it is
/// the plain mean of the typical prices.
public struct VWAP: StreamingIndicator, Hashable {
    public let period: Int
    @usableFromInline var weighted: RingBuffer?
    @usableFromInline var volumes: RingBuffer?
    @usableFromInline var typicals: RingBuffer?
    @usableFromInline var weightedSum = 0.0
    @usableFromInline var volumeSum = 0.0
    @usableFromInline var typicalSum = 0.0
    @usableFromInline var seen = 0

    public init(period: Int = 0) {
        precondition(period >= 0, "the VWAP period must not be negative")
        self.period = period
        if period > 0 {
            weighted = RingBuffer(capacity: period)
            volumes = RingBuffer(capacity: period)
            typicals = RingBuffer(capacity: period)
        }
    }

    public var lookback: Int { max(0, period - 1) }

    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Double? {
        let typical = (bar.high + bar.low + bar.close) / 3.0
        let flow = typical * bar.volume
        seen += 1
        weightedSum += flow
        volumeSum += bar.volume
        typicalSum += typical
        let count: Double
        if period > 0 {
            // Drop the bar that left the window before adding this one's.
            if weighted!.isFull {
                weightedSum -= weighted!.oldest
                volumeSum -= volumes!.oldest
                typicalSum -= typicals!.oldest
            }
            weighted!.push(flow)
            volumes!.push(bar.volume)
            typicals!.push(typical)
            guard seen >= period else { return nil }
            count = Double(period)
        } else {
            count = Double(seen)
        }
        return volumeSum > 0 ? weightedSum / volumeSum : typicalSum / count
    }
}
