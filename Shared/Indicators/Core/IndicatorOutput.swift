/// What one bar of an indicator produces: a fixed number of named values.
public protocol IndicatorOutput: Sendable {
    /// How many values each bar produces.
    static var width: Int { get }
    subscript(_ index: Int) -> Double { get }
}

extension Double: IndicatorOutput {
    public static var width: Int { 1 }
    @inlinable
    public subscript(_ index: Int) -> Double { self }
}

/// Two values per bar (STOCH's slow %K/%D, AROON's down/up).
public struct Pair: IndicatorOutput, Hashable {
    public var first: Double
    public var second: Double

    @inlinable
    public init(_ first: Double, _ second: Double) {
        self.first = first
        self.second = second
    }

    public static var width: Int { 2 }
    @inlinable
    public subscript(_ index: Int) -> Double { index == 0 ? first : second }
}

/// Three values per bar (MACD's line/signal/histogram, BBANDS's upper/middle/lower).
public struct Triple: IndicatorOutput, Hashable {
    public var first: Double
    public var second: Double
    public var third: Double

    @inlinable
    public init(_ first: Double, _ second: Double, _ third: Double) {
        self.first = first
        self.second = second
        self.third = third
    }

    public static var width: Int { 3 }
    @inlinable
    public subscript(_ index: Int) -> Double { index == 0 ? first : index == 1 ? second : third }
}
