/// One bar of input: the prices and volume an indicator may read.
///
/// Indicators work in `Double` (ARCHITECTURE §5: money is fixed-point, market data and indicators are
/// binary floating point, as in TA-Lib).
public struct PriceBar: Sendable, Hashable {
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    @inlinable
    public init(open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// A bar where every price is `value` and nothing traded: how a single-input series is fed to
    /// bar-level code.
    @inlinable
    public init(value: Double) {
        self.init(open: value, high: value, low: value, close: value, volume: 0)
    }
}

/// Contiguous input columns for the batch form, all of the same length.
public struct PriceColumns {
    public let open: UnsafeBufferPointer<Double>
    public let high: UnsafeBufferPointer<Double>
    public let low: UnsafeBufferPointer<Double>
    public let close: UnsafeBufferPointer<Double>
    public let volume: UnsafeBufferPointer<Double>
    public let count: Int

    public init(
        open: UnsafeBufferPointer<Double>, high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>,
        close: UnsafeBufferPointer<Double>, volume: UnsafeBufferPointer<Double>
    ) {
        precondition(
            open.count == close.count && high.count == close.count && low.count == close.count
                && volume.count == close.count,
            "every price column must have the same length")
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.count = close.count
    }

    @inlinable
    subscript(unchecked index: Int) -> PriceBar {
        PriceBar(
            open: open[index], high: high[index], low: low[index], close: close[index], volume: volume[index])
    }
}

/// Owned OHLCV columns: what the CLI, the service and the tests hold.
public struct PriceSeries: Sendable, Hashable {
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Double]

    public init(open: [Double], high: [Double], low: [Double], close: [Double], volume: [Double]) {
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    public init(bars: [PriceBar]) {
        self.init(
            open: bars.map(\.open), high: bars.map(\.high), low: bars.map(\.low), close: bars.map(\.close),
            volume: bars.map(\.volume))
    }

    public var count: Int { close.count }

    public subscript(index: Int) -> PriceBar {
        PriceBar(open: open[index], high: high[index], low: low[index], close: close[index], volume: volume[index])
    }

    /// Lends the columns as contiguous buffers for the batch form.
    public func withColumns<R>(_ body: (PriceColumns) throws -> R) rethrows -> R {
        try open.withUnsafeBufferPointer { o in
            try high.withUnsafeBufferPointer { h in
                try low.withUnsafeBufferPointer { l in
                    try close.withUnsafeBufferPointer { c in
                        try volume.withUnsafeBufferPointer { v in
                            try body(PriceColumns(open: o, high: h, low: l, close: c, volume: v))
                        }
                    }
                }
            }
        }
    }
}
