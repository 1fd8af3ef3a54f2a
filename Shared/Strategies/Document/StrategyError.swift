/// Why a strategy document, its parameters or its data were refused: a stable code, where it was
/// (a JSON pointer into the document, or a line of the data) and what to do.
public struct StrategyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure, for programs (`strategy.unknown_indicator`).
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// Not JSON, or not an object where one is needed.
        case malformed = "strategy.malformed"
        /// A key the language does not have, or a required one missing.
        case invalidField = "strategy.invalid_field"
        /// `version` names a language version this build does not read.
        case unsupportedVersion = "strategy.unsupported_version"
        /// An indicator name not in the catalogue.
        case unknownIndicator = "strategy.unknown_indicator"
        /// A name (`$param`, a signal, a price source, an output) that nothing declares.
        case unknownName = "strategy.unknown_name"
        /// A value out of its range, of the wrong kind, or a boolean where a number is needed.
        case invalidValue = "strategy.invalid_value"
        /// A parameter set from outside that the document does not declare, or out of its range.
        case invalidParameter = "strategy.invalid_parameter"
        /// Signals that refer to each other in a loop.
        case cycle = "strategy.cycle"
        /// A short rule on an instrument that cannot be sold short.
        case shortingNotAllowed = "strategy.shorting_not_allowed"
        /// Fewer bars than the strategy needs to warm up.
        case notEnoughData = "strategy.not_enough_data"
        /// Bars out of order, repeated, or with a value that is not a finite number.
        case invalidData = "strategy.invalid_data"
        /// A search larger than allowed, or a malformed range.
        case tooManyTrials = "strategy.too_many_trials"
        /// The run was cancelled before it finished; nothing was kept.
        case cancelled = "strategy.cancelled"
    }

    public var code: Code
    /// A JSON pointer into the document (`/rules/entry_long/0/left`), empty when the error is not
    /// about one place in it.
    public var pointer: String
    public var message: String

    public init(_ code: Code, at pointer: String = "", _ message: String) {
        self.code = code
        self.pointer = pointer
        self.message = message
    }

    /// `code: /pointer: message`.
    public var description: String {
        pointer.isEmpty ? "\(code.rawValue): \(message)" : "\(code.rawValue): \(pointer): \(message)"
    }
}
