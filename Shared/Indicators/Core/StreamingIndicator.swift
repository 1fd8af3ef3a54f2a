/// An indicator in streaming form: a small value that takes one bar at a time in O(1) (O(period)
/// for the few whose formula needs the whole window, such as CCI's mean deviation) and answers
/// `nil` until it is warm.
///
/// The batch form is the same code run over contiguous columns (`run(over:into:)`), so the two
/// forms cannot drift apart: there is one formula per indicator.
public protocol StreamingIndicator: Sendable {
    associatedtype Output: IndicatorOutput

    /// Bars consumed before the first output: TA-Lib's `*_Lookback` for the same parameters.
    var lookback: Int { get }

    mutating func update(_ bar: PriceBar) -> Output?

    /// Runs the indicator over every bar, writing `Output.width` columns; warm-up cells get NaN.
    mutating func run(over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>)
}

/// An indicator over one series of values (close by default), so it can also be fed the output
/// of another indicator (a moving average of RSI, the signal line of MACD).
public protocol ValueIndicator: StreamingIndicator {
    mutating func update(_ value: Double) -> Output?
}

extension StreamingIndicator {
    @inlinable
    public mutating func run(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        precondition(columns.count == Output.width, "one output column per indicator output")
        for index in 0..<input.count {
            Self.store(update(input[unchecked: index]), at: index, in: columns)
        }
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
    @inlinable
    public mutating func update(_ bar: PriceBar) -> Output? { update(bar.close) }

    /// The batch form reads only the close column.
    @inlinable
    public mutating func run(
        over input: PriceColumns, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        run(values: input.close, into: columns)
    }

    @inlinable
    public mutating func run(
        values: UnsafeBufferPointer<Double>, into columns: UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>
    ) {
        precondition(columns.count == Output.width, "one output column per indicator output")
        for index in 0..<values.count {
            Self.store(update(values[index]), at: index, in: columns)
        }
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
