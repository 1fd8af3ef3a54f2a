import RPC

/// A market-data failure with a stable code (`marketdata.*`) and a message a person can act on.
public struct MarketDataError: RPCErrorConvertible, Hashable, Sendable, CustomStringConvertible {
    /// Stable codes; the raw value is what messages and logs show.
    public enum Code: String, Sendable {
        case invalidConfiguration = "marketdata.invalid_configuration"
        case unknownSymbol = "marketdata.unknown_symbol"
        case unknownFeed = "marketdata.unknown_feed"
        case invalidArgument = "marketdata.invalid_argument"
        case malformedFile = "marketdata.malformed_file"
        case historyUnavailable = "marketdata.history_unavailable"
        case providerError = "marketdata.provider_error"
        case rateLimited = "marketdata.rate_limited"
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

    /// `marketdata.<code>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The RPC status this error answers with; the message leads with the stable code.
    public var rpcError: RPCError {
        let status: RPCError.Code
        switch code {
        case .invalidConfiguration, .invalidArgument, .malformedFile: status = .invalidArgument
        case .unknownSymbol, .unknownFeed: status = .notFound
        case .historyUnavailable: status = .failedPrecondition
        case .providerError: status = .unavailable
        case .rateLimited: status = .resourceExhausted
        }
        return RPCError(code: status, message: description)
    }
}
