import Indicators
import RPC

/// An indicators-service failure: a stable code (`indicators.*`) and a message a person can act on.
public typealias IndicatorsError = DomainError<IndicatorsErrorCode>

/// The stable codes of the indicators service's failures.
public enum IndicatorsErrorCode: String, DomainErrorCode {
    case invalidArgument = "indicators.invalid_argument"
    case unknownIndicator = "indicators.unknown_indicator"
    case badParameter = "indicators.bad_parameter"
    case malformedSpec = "indicators.malformed_spec"
    case unknownSet = "indicators.unknown_set"
    case noSnapshot = "indicators.no_snapshot"
    case tooLarge = "indicators.too_large"
    case marketDataUnavailable = "indicators.market_data_unavailable"
    case storageOff = "indicators.storage_off"

    public var status: RPCError.Code {
        switch self {
        case .invalidArgument, .unknownIndicator, .badParameter, .malformedSpec: .invalidArgument
        case .unknownSet, .noSnapshot: .notFound
        case .tooLarge: .resourceExhausted
        case .marketDataUnavailable: .unavailable
        case .storageOff: .failedPrecondition
        }
    }
}

extension DomainError where Code == IndicatorsErrorCode {
    /// A refused indicator specification, keeping the library's reason.
    init(_ error: IndicatorError, in context: String) {
        let code: IndicatorsErrorCode =
            switch error.code {
            case .unknownIndicator: .unknownIndicator
            case .badParameter: .badParameter
            case .malformedSpec: .malformedSpec
            }
        self.init(code, "\(context): \(error.message)")
    }
}
