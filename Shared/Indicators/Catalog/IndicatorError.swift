/// Why an indicator specification or its input was refused.
public struct IndicatorError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The name is not in the catalogue (`tradewind indicators --list`).
        case unknownIndicator = "unknown_indicator"
        /// A parameter is not a number, out of range, or not an integer where one is needed.
        case badParameter = "bad_parameter"
        /// More parameters than the indicator takes, or a malformed `name:p1,p2` text.
        case malformedSpec = "malformed_spec"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
