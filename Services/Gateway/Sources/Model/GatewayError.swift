import RPC

/// A gateway RPC failure: a stable code (`gateway.*`) and a message a person can act on. (REST
/// answers carry `APIError`s, with HTTP statuses.)
typealias GatewayError = DomainError<GatewayErrorCode>

/// The stable codes of the gateway's RPC failures.
enum GatewayErrorCode: String, DomainErrorCode {
    case invalidArgument = "gateway.invalid_argument"
    case unknownUser = "gateway.unknown_user"
    case unknownKey = "gateway.unknown_key"
    case emailTaken = "gateway.email_taken"
    /// A peer the gateway needs (execution, for a new user's account) did not answer.
    case peerUnavailable = "gateway.peer_unavailable"

    var status: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .unknownUser, .unknownKey: .notFound
        case .emailTaken: .alreadyExists
        case .peerUnavailable: .unavailable
        }
    }
}
