/// A configured indicator behind a uniform face, for code that picks indicators at run time (the
/// CLI, the indicators service, bots). Each call reaches the concrete, specialized kernel, so the
/// batch loop itself has no dynamic dispatch.
public protocol IndicatorEngine: Sendable {
    var lookback: Int { get }
    /// Values per bar.
    var width: Int { get }
    /// Feeds one bar; writes `width` values into `row` and returns true once warm.
    mutating func update(_ bar: PriceBar, into row: UnsafeMutableBufferPointer<Double>) -> Bool
    /// The batch form: one column per output, NaN during warm-up.
    mutating func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
}

/// Wraps one concrete streaming indicator as an `IndicatorEngine`.
public struct Engine<Indicator: StreamingIndicator>: IndicatorEngine {
    @usableFromInline var indicator: Indicator

    public init(_ indicator: Indicator) { self.indicator = indicator }

    public var lookback: Int { indicator.lookback }
    public var width: Int { Indicator.Output.width }

    public mutating func update(_ bar: PriceBar, into row: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard let output = indicator.update(bar) else { return false }
        for k in 0..<Indicator.Output.width { row[k] = output[k] }
        return true
    }

    public mutating func run(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        indicator.run(over: input, into: columns)
    }
}
