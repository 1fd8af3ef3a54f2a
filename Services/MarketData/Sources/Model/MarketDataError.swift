import RPC

/// A market-data failure: a stable code (`marketdata.*`) and a message a person can act on.
public typealias MarketDataError = DomainError<MarketDataErrorCode>

/// The stable codes of market-data's failures.
public enum MarketDataErrorCode: String, DomainErrorCode {
    case invalidConfiguration = "marketdata.invalid_configuration"
    case unknownSymbol = "marketdata.unknown_symbol"
    case unknownFeed = "marketdata.unknown_feed"
    case invalidArgument = "marketdata.invalid_argument"
    case malformedFile = "marketdata.malformed_file"
    case historyUnavailable = "marketdata.history_unavailable"
    case providerError = "marketdata.provider_error"
    case rateLimited = "marketdata.rate_limited"

    public var status: RPCError.Code {
        switch self {
        case .invalidConfiguration, .invalidArgument, .malformedFile: .invalidArgument
        case .unknownSymbol, .unknownFeed: .notFound
        case .historyUnavailable: .failedPrecondition
        case .providerError: .unavailable
        case .rateLimited: .resourceExhausted
        }
    }
}
