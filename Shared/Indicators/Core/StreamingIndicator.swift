/// An indicator in streaming form: a small value that takes one bar at a time in O(1) (O(period)
/// for the few whose formula needs the whole window, such as CCI's mean deviation) and answers
/// `nil` until it is warm.
///
/// The batch form (`run(over:into:)`) is, by default, the same code run over contiguous columns.
/// The indicators that TA-Lib runs faster that way have a batch kernel of their own, in which the
/// input column itself is the window; it does the same arithmetic in the same order, so both forms
/// give the same bits (StreamingTests checks every indicator bar by bar).
public protocol StreamingIndicator: Sendable {
    associatedtype Output: IndicatorOutput

    /// Bars consumed before the first output: TA-Lib's `*_Lookback` for the same parameters.
    var lookback: Int { get }

    mutating func update(_ bar: PriceBar) -> Output?

    /// The batch form: every bar of `input`, `Output.width` columns, NaN in warm-up cells. Call it on
    /// a fresh instance. Where it pays, an indicator has its own kernel that reads its window straight
    /// from the input columns instead of keeping one; it gives the same bits as `update`, bar by bar
    /// (StreamingTests), but does not advance the streaming state.
    mutating func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)

    /// The streaming form over a run of bars: `update` on each in turn, results written as `run`
    /// writes them, state advanced (warm-up from history, and the streaming benchmark).
    mutating func replay(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
}

/// An indicator over one series of values (close by default), so it can also be fed the output
/// of another indicator (a moving average of RSI, the signal line of MACD).
public protocol ValueIndicator: StreamingIndicator {
    mutating func update(_ value: Double) -> Output?

    /// The batch form over one series of values (see `run(over:into:)`).
    mutating func run(values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
}

extension StreamingIndicator {
    /// Without a kernel of its own, the batch form is the streaming form.
    @inlinable
    public mutating func run(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        replay(over: input, into: columns)
    }

    @inlinable
    public mutating func replay(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        precondition(columns.count == Output.width, "one output column per indicator output")
        // A local copy: the output stores go through raw pointers the compiler must assume may alias
        // `self`, which would keep every running total in memory (a store and a reload per bar).
        var indicator = self
        for index in 0..<input.count {
            Self.store(indicator.update(input[unchecked: index]), at: index, in: columns)
        }
        self = indicator
    }

    @inlinable @inline(__always)
    static func store(
        _ output: Output?, at index: Int, in columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        if let output {
            for k in 0..<Output.width { columns[k][index] = output[k] }
        } else {
            for k in 0..<Output.width { columns[k][index] = .nan }
        }
    }
}

extension ValueIndicator {
    @inlinable @inline(__always)
    public mutating func update(_ bar: PriceBar) -> Output? { update(bar.close) }

    /// The batch form reads only the close column.
    @inlinable
    public mutating func run(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        run(values: input.close, into: columns)
    }

    @inlinable
    public mutating func replay(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        replay(values: input.close, into: columns)
    }

    /// Without a kernel of its own, the batch form over values is the streaming form.
    @inlinable
    public mutating func run(
        values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        replay(values: values, into: columns)
    }

    @inlinable
    public mutating func replay(
        values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        precondition(columns.count == Output.width, "one output column per indicator output")
        var indicator = self  // see `run(over:into:)`
        for index in 0..<values.count {
            Self.store(indicator.update(values[index]), at: index, in: columns)
        }
        self = indicator
    }
}

extension StreamingIndicator {
    /// Convenience batch form over owned columns: one array per output, NaN during warm-up.
    public func compute(_ series: PriceSeries) -> [[Double]] {
        var indicator = self
        return makeOutputColumns(count: series.count, width: Output.width) { columns in
            series.withColumns { indicator.run(over: $0, into: columns) }
        }
    }
}
