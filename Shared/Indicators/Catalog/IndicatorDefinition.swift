/// One parameter of an indicator: its name, default and accepted range.
public struct ParameterDefinition: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A whole number (periods).
        case integer
        /// Any real number in range (factors, deviations).
        case real
        /// A TA-Lib moving-average type number (`MovingAverageType`). Shown in column names only
        /// when written in the spec.
        case movingAverageType
    }

    public let name: String
    public let defaultValue: Double
    public let minimum: Double
    public let maximum: Double
    public let kind: Kind

    public static func period(_ defaultValue: Int, minimum: Int = 2) -> Self {
        period("period", defaultValue, minimum: minimum)
    }

    public static func period(_ name: String, _ defaultValue: Int, minimum: Int = 2) -> Self {
        Self(name: name, defaultValue: Double(defaultValue), minimum: Double(minimum), maximum: 100_000, kind: .integer)
    }

    public static func real(_ name: String, _ defaultValue: Double, minimum: Double, maximum: Double) -> Self {
        Self(name: name, defaultValue: defaultValue, minimum: minimum, maximum: maximum, kind: .real)
    }

    public static func movingAverageType(_ name: String = "matype", _ defaultValue: MovingAverageType = .sma) -> Self {
        Self(name: name, defaultValue: Double(defaultValue.rawValue), minimum: 0, maximum: 8, kind: .movingAverageType)
    }

    /// Checks `value` against the range and kind, naming the indicator and parameter when not.
    func validate(_ value: Double, of indicator: String) throws(IndicatorError) {
        let where_ = "parameter '\(name)' of \(indicator)"
        guard value >= minimum && value <= maximum else {
            throw IndicatorError(
                .badParameter,
                "\(where_) is \(formatParameter(value)); it must be between \(formatParameter(minimum)) and \(formatParameter(maximum))")
        }
        switch kind {
        case .integer:
            guard value == value.rounded() else {
                throw IndicatorError(.badParameter, "\(where_) is \(formatParameter(value)); it must be a whole number")
            }
        case .movingAverageType:
            guard value == value.rounded(), MovingAverageType(rawValue: Int(value)) != nil else {
                let known = MovingAverageType.allCases.map { "\($0.rawValue)=\($0.name)" }.joined(separator: ", ")
                throw IndicatorError(.badParameter, "\(where_) is \(formatParameter(value)); use one of \(known)")
            }
        case .real:
            break
        }
    }
}

/// A catalogue entry: what an indicator is called, what it reads, takes and produces, and how to
/// build it from a full parameter list.
public struct IndicatorDefinition: Sendable {
    public enum Input: String, Sendable, Hashable { case open, high, low, close, volume }

    /// Lower-case function name, as TA-Lib names it where TA-Lib has it ("macd", "plus_di").
    public let name: String
    public let title: String
    public let inputs: [Input]
    public let parameters: [ParameterDefinition]
    /// Output names; empty for a single-output indicator (its column is just the indicator's name).
    public let outputs: [String]
    let make: @Sendable (Parameters) -> any IndicatorEngine

    init(
        _ name: String, _ title: String, inputs: [Input], parameters: [ParameterDefinition] = [],
        outputs: [String] = [], make: @escaping @Sendable (Parameters) -> any IndicatorEngine
    ) {
        self.name = name
        self.title = title
        self.inputs = inputs
        self.parameters = parameters
        self.outputs = outputs
        self.make = make
    }

    /// Values per bar.
    public var width: Int { max(1, outputs.count) }
}

/// Resolved parameters in catalogue order, read by position while building an indicator.
struct Parameters: Sendable {
    let values: [Double]

    func int(_ index: Int) -> Int { Int(values[index]) }
    func real(_ index: Int) -> Double { values[index] }
    func type(_ index: Int) -> MovingAverageType { MovingAverageType(rawValue: Int(values[index]))! }
}
