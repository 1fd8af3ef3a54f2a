/// A decimal computation or conversion that has no exact, in-range answer.
public struct ArithmeticError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure.
    public enum Code: String, Sendable {
        case overflow = "decimal.overflow"
        case divisionByZero = "decimal.division_by_zero"
        case invalid = "decimal.invalid"
        case tooPrecise = "decimal.too_precise"
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    static func overflow(_ expression: String) -> ArithmeticError {
        ArithmeticError(code: .overflow, message: "\(expression) is outside ±92233720368.54775807")
    }
}
