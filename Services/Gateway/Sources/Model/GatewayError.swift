import RPC

/// A gateway RPC failure: a stable code (`gateway.*`) and a message a person can act on. (REST
/// answers carry `APIError`s, with HTTP statuses.)
typealias GatewayError = DomainError<GatewayErrorCode>

/// The stable codes of the gateway's RPC failures.
enum GatewayErrorCode: String, DomainErrorCode {
    case invalidArgument = "gateway.invalid_argument"
    case unknownUser = "gateway.unknown_user"
    case unknownKey = "gateway.unknown_key"

    var status: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .unknownUser, .unknownKey: .notFound
        }
    }
}
