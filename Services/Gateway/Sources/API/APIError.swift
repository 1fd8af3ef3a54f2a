import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RPC
import Store

/// A refused request: an HTTP status and `{"error":{"code","message"}}` with a stable code and a
/// message that says what to fix.
struct APIError: Error, HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let body = ErrorBody(error: .init(code: code, message: message))
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data())))
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    /// What `error` means to an HTTP client: itself, a service's failure mapped by `from(_: RPCError)`;
    /// nil for failures with no detail fit to show (logged by the caller, answered 500).
    static func from(_ error: any Error) -> APIError? {
        if let api = error as? APIError { return api }
        // The gateway's own database away is an outage like a peer's, not an internal error.
        if let store = error as? StoreError, store.code == .connectionFailed || store.code == .closed {
            return APIError(.serviceUnavailable, "gateway.postgres_unavailable", "the gateway's database (postgres) is not answering; retry shortly")
        }
        let (rpc, exposed) = RPCError.from(error)
        return exposed ? from(rpc) : nil
    }

    /// Domain codes that name a well-formed request a rule refuses.
    static let refusedByRule: Set<String> = ["orchestrator.invalid_strategy", "risk.arithmetic", "execution.arithmetic"]

    /// What a peer's RPC failure means to an HTTP client: the status by kind, the service's own
    /// stable code from the envelope (`rpc.<status>` when it gave none), and the message without
    /// that code repeated in it.
    static func from(_ error: RPCError) -> APIError {
        var status: HTTPResponse.Status
        switch error.code {
        case .invalidArgument, .outOfRange: status = .badRequest
        case .notFound: status = .notFound
        case .alreadyExists, .aborted: status = .conflict
        case .failedPrecondition: status = .unprocessableContent
        case .permissionDenied: status = .forbidden
        case .unauthenticated: status = .unauthorized
        case .resourceExhausted: status = .tooManyRequests
        case .unavailable: status = .serviceUnavailable
        case .deadlineExceeded: status = .gatewayTimeout
        default: status = .internalServerError
        }
        guard !error.domainCode.isEmpty else { return APIError(status, "rpc.\(error.code)", error.message) }
        // A request of the right shape that a rule refuses (a strategy that does not compile, a
        // template or agent that does not exist, amounts beyond the fixed-point range) is 422,
        // not a malformed request.
        if Self.refusedByRule.contains(error.domainCode) { status = .unprocessableContent }
        // The message names the code for logs ("peer: service.code: text"); the body carries it apart.
        var message = error.message
        if let range = message.range(of: error.domainCode + ": ") { message.removeSubrange(range) }
        return APIError(status, error.domainCode, message)
    }
}
