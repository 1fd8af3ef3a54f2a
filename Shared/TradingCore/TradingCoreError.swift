/// A value that breaks a rule of the trading model (a malformed symbol, an unknown timeframe).
public struct TradingCoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidSymbol = "core.invalid_symbol"
        case invalidTimeframe = "core.invalid_timeframe"
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
