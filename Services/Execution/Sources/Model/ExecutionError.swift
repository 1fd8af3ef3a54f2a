import RPC

/// An execution failure: a stable code (`execution.*`) and a message a person can act on.
public typealias ExecutionError = DomainError<ExecutionErrorCode>

/// The stable codes of execution's failures.
public enum ExecutionErrorCode: String, DomainErrorCode {
    case invalidArgument = "execution.invalid_argument"
    /// A well-formed order the instrument's rules or its own prices refuse (lot, tick, minimum
    /// notional, a limit without its price, a stop loss above the take profit).
    case orderRules = "execution.order_rules"
    case unknownAccount = "execution.unknown_account"
    case unknownOrder = "execution.unknown_order"
    case unknownSymbol = "execution.unknown_symbol"
    case noPrice = "execution.no_price"
    case notCancelable = "execution.not_cancelable"
    case unsupported = "execution.unsupported"
    case arithmetic = "execution.arithmetic"
    case marketDataUnavailable = "execution.market_data_unavailable"
    case storageOff = "execution.storage_off"

    public var status: RPCError.Code {
        switch self {
        case .invalidArgument, .arithmetic: .invalidArgument
        case .unknownAccount, .unknownOrder, .unknownSymbol: .notFound
        case .noPrice, .notCancelable, .storageOff, .orderRules: .failedPrecondition
        case .unsupported: .unimplemented
        case .marketDataUnavailable: .unavailable
        }
    }
}
