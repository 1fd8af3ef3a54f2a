import RPC

/// A failed model call: a stable code (`ai.*`) and a message with the provider's own words
/// (never a credential).
public typealias LLMError = DomainError<LLMErrorCode>

/// The stable codes of the AI layer's failures.
public enum LLMErrorCode: String, DomainErrorCode {
    /// No provider is configured, or the one named is unknown.
    case notConfigured = "ai.not_configured"
    /// The provider refused the credentials (401, 403).
    case unauthorized = "ai.unauthorized"
    /// The provider is limiting this key (429), retries included.
    case rateLimited = "ai.rate_limited"
    /// The provider refused the request itself (another 4xx): a bad model name, a schema it does
    /// not take.
    case invalidRequest = "ai.invalid_request"
    /// The provider failed or is overloaded (5xx, 529), retries included.
    case providerError = "ai.provider_error"
    /// No answer within the call's deadline.
    case timeout = "ai.timeout"
    /// The connection failed or dropped before the answer was whole.
    case connectionLost = "ai.connection_lost"
    /// An answer that is not the provider's format, or not the requested schema.
    case malformedResponse = "ai.malformed_response"
    /// A spending limit is reached: the call was not made.
    case budgetExhausted = "ai.budget_exhausted"

    public var status: RPCError.Code {
        switch self {
        case .notConfigured, .budgetExhausted: .failedPrecondition
        case .invalidRequest: .invalidArgument
        case .unauthorized, .rateLimited, .providerError, .timeout, .connectionLost, .malformedResponse: .unavailable
        }
    }

    /// Whether trying again later may succeed (429, 5xx, a dropped connection).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .providerError, .connectionLost: true
        default: false
        }
    }
}
