import Wire

/// The failure of a call, with a status code modeled on gRPC's and a message a person can act on.
///
/// Handlers throw it to answer with a specific status; other errors become `internal` on the wire
/// (with their details only in the server's log) unless they conform to `RPCErrorConvertible`.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Status codes, numbered as on the wire (`PB.StatusCode`) and as in gRPC.
    public enum Code: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case cancelled = 1, unknown = 2, invalidArgument = 3, deadlineExceeded = 4, notFound = 5
        case alreadyExists = 6, permissionDenied = 7, resourceExhausted = 8, failedPrecondition = 9
        case aborted = 10, outOfRange = 11, unimplemented = 12, `internal` = 13, unavailable = 14
        case dataLoss = 15, unauthenticated = 16

        /// snake_case name, as in logs and metrics: `invalid_argument`.
        public var description: String {
            switch self {
            case .cancelled: "cancelled"
            case .unknown: "unknown"
            case .invalidArgument: "invalid_argument"
            case .deadlineExceeded: "deadline_exceeded"
            case .notFound: "not_found"
            case .alreadyExists: "already_exists"
            case .permissionDenied: "permission_denied"
            case .resourceExhausted: "resource_exhausted"
            case .failedPrecondition: "failed_precondition"
            case .aborted: "aborted"
            case .outOfRange: "out_of_range"
            case .unimplemented: "unimplemented"
            case .internal: "internal"
            case .unavailable: "unavailable"
            case .dataLoss: "data_loss"
            case .unauthenticated: "unauthenticated"
            }
        }

        /// The code for a wire status; OK or an unknown number are not errors and map to `unknown`.
        public init(wire: PB.StatusCode) {
            self = Code(rawValue: wire.rawValue) ?? .unknown
        }

        /// The code as carried in an envelope.
        public var wire: PB.StatusCode { PB.StatusCode(rawValue: rawValue) }
    }

    /// What kind of failure, for programs.
    public var code: Code
    /// What was wrong, for people.
    public var message: String
    /// The failing service's stable code (`orchestrator.unknown_job`), carried in the envelope's
    /// `error_code` and kept when a peer's refusal is relayed; empty for failures without one.
    public var domainCode: String

    /// A failure of `code`, saying `message`, with the service's own `domainCode` when it has one.
    public init(code: Code, message: String, domainCode: String = "") {
        self.code = code
        self.message = message
        self.domainCode = domainCode
    }

    public var description: String { "\(code): \(message)" }
}

/// A domain error that knows which RPC status it is (e.g. a store's "not found" → `notFound`).
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// The error a handler's thrown `error` becomes on the wire. `exposesDetails` is false for errors
    /// that are neither `RPCError` nor `RPCErrorConvertible`: those say only "internal error".
    public static func from(_ error: any Error) -> (error: RPCError, exposesDetails: Bool) {
        switch error {
        case let e as RPCError: return (e, true)
        case let e as any RPCErrorConvertible: return (e.rpcError, true)
        case let e as WireError: return (RPCError(code: .invalidArgument, message: e.description), true)
        case is CancellationError: return (RPCError(code: .cancelled, message: "the call was cancelled"), true)
        default: return (RPCError(code: .internal, message: "internal error"), false)
        }
    }
}
