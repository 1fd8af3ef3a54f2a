import Indicators
import RPC

/// An indicators-service failure with a stable code (`indicators.*`) and a message a person can act on.
public struct IndicatorsError: RPCErrorConvertible, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes; the raw value is what messages and logs show.
    public enum Code: String, Sendable {
        case invalidArgument = "indicators.invalid_argument"
        case unknownIndicator = "indicators.unknown_indicator"
        case badParameter = "indicators.bad_parameter"
        case malformedSpec = "indicators.malformed_spec"
        case unknownSet = "indicators.unknown_set"
        case noSnapshot = "indicators.no_snapshot"
        case tooLarge = "indicators.too_large"
        case marketDataUnavailable = "indicators.market_data_unavailable"
        case storageOff = "indicators.storage_off"
    }

    /// What kind of failure, for programs.
    public var code: Code
    /// What was wrong, for people.
    public var message: String

    /// An error of `code`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A refused indicator specification, keeping the library's reason.
    init(_ error: IndicatorError, in context: String) {
        let code: Code =
            switch error.code {
            case .unknownIndicator: .unknownIndicator
            case .badParameter: .badParameter
            case .malformedSpec: .malformedSpec
            }
        self.init(code, "\(context): \(error.message)")
    }

    /// `indicators.<code>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The RPC status this error answers with; the message leads with the stable code.
    public var rpcError: RPCError {
        let status: RPCError.Code =
            switch code {
            case .invalidArgument, .unknownIndicator, .badParameter, .malformedSpec: .invalidArgument
            case .unknownSet, .noSnapshot: .notFound
            case .tooLarge: .resourceExhausted
            case .marketDataUnavailable: .unavailable
            case .storageOff: .failedPrecondition
            }
        return RPCError(code: status, message: description)
    }
}
