import RPC

/// A risk-service failure: a stable code (`risk.*`) and a message a person can act on. (A refused
/// order is not a failure: CheckOrder answers it with `approved = false` and the rule's reason.)
public typealias RiskError = DomainError<RiskErrorCode>

/// The stable codes of the risk service's failures.
public enum RiskErrorCode: String, DomainErrorCode {
    case invalidArgument = "risk.invalid_argument"
    case noPrice = "risk.no_price"
    case arithmetic = "risk.arithmetic"
    case executionUnavailable = "risk.execution_unavailable"
    case marketDataUnavailable = "risk.market_data_unavailable"

    public var status: RPCError.Code {
        switch self {
        case .invalidArgument, .arithmetic: .invalidArgument
        case .noPrice: .failedPrecondition
        case .executionUnavailable, .marketDataUnavailable: .unavailable
        }
    }
}
