import RPC

/// An orchestrator failure: a stable code (`orchestrator.*`) and a message a person can act on.
public typealias OrchestratorError = DomainError<OrchestratorErrorCode>

/// The stable codes of the orchestrator's failures.
public enum OrchestratorErrorCode: String, DomainErrorCode {
    case invalidArgument = "orchestrator.invalid_argument"
    /// A strategy document, its parameters or overrides refused; the message starts with the
    /// strategy language's own code and JSON pointer (`strategy.unknown_indicator: /rules/…: …`).
    case invalidStrategy = "orchestrator.invalid_strategy"
    case unknownBot = "orchestrator.unknown_bot"
    case unknownJob = "orchestrator.unknown_job"
    case unknownStrategy = "orchestrator.unknown_strategy"
    case unknownConversation = "orchestrator.unknown_conversation"
    case unknownDecision = "orchestrator.unknown_decision"
    /// A search over more parameter sets than `optimize.max_trials` allows.
    case tooManyTrials = "orchestrator.too_many_trials"
    /// A job's trades or equity asked for before it is done.
    case jobNotDone = "orchestrator.job_not_done"
    case unsupportedMode = "orchestrator.unsupported_mode"
    case notEnoughHistory = "orchestrator.not_enough_history"
    /// A time range that ends before it starts.
    case invalidRange = "orchestrator.invalid_range"
    case marketDataUnavailable = "orchestrator.market_data_unavailable"
    case riskUnavailable = "orchestrator.risk_unavailable"
    case executionUnavailable = "orchestrator.execution_unavailable"

    public var status: RPCError.Code {
        switch self {
        case .invalidArgument, .invalidStrategy: .invalidArgument
        case .unknownBot, .unknownJob, .unknownStrategy, .unknownConversation, .unknownDecision: .notFound
        case .unsupportedMode, .notEnoughHistory, .tooManyTrials, .jobNotDone, .invalidRange: .failedPrecondition
        case .marketDataUnavailable, .riskUnavailable, .executionUnavailable: .unavailable
        }
    }
}
