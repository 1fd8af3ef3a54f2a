import RPC

/// An orchestrator failure: a stable code (`orchestrator.*`) and a message a person can act on.
public typealias OrchestratorError = DomainError<OrchestratorErrorCode>

/// The stable codes of the orchestrator's failures.
public enum OrchestratorErrorCode: String, DomainErrorCode {
    case invalidArgument = "orchestrator.invalid_argument"
    case unknownBot = "orchestrator.unknown_bot"
    case unknownBacktest = "orchestrator.unknown_backtest"
    case unsupportedMode = "orchestrator.unsupported_mode"
    case notEnoughHistory = "orchestrator.not_enough_history"
    case marketDataUnavailable = "orchestrator.market_data_unavailable"
    case indicatorsUnavailable = "orchestrator.indicators_unavailable"
    case riskUnavailable = "orchestrator.risk_unavailable"
    case executionUnavailable = "orchestrator.execution_unavailable"

    public var status: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .unknownBot, .unknownBacktest: .notFound
        case .unsupportedMode, .notEnoughHistory: .failedPrecondition
        case .marketDataUnavailable, .indicatorsUnavailable, .riskUnavailable, .executionUnavailable: .unavailable
        }
    }
}
