import HTTPTypes
import Hummingbird

/// One endpoint of the REST API: registered with the router and described in the OpenAPI
/// document from the same entry, so the document says what the gateway really does.
struct Route: Sendable {
    /// A route anyone may call.
    typealias OpenHandler = @Sendable (Request, GatewayContext) async throws -> Response
    /// A route for a signed-in caller: the principal is there, checked, not optional.
    typealias Handler = @Sendable (Request, AuthenticatedContext, Principal) async throws -> Response

    /// Who may call it, and what answers.
    enum Access: Sendable {
        case open(OpenHandler)
        case signedIn(Role, Handler)
    }

    let method: HTTPRequest.Method
    /// OpenAPI style: `/api/bots/{id}`.
    let path: String
    let access: Access
    let summary: String
    /// The JSON body's fields and their JSON types (`"symbol": "string"`); required ones end in `!`.
    var body: KeyValuePairs<String, String> = [:]
    /// Query parameters.
    var query: [String] = []
    /// What the handler answers when it succeeds (the OpenAPI document says so).
    var success: HTTPResponse.Status = .ok
    /// The success body's schema; nil when it has none (204).
    var answers: ResponseSchema?

    /// A route for callers with at least `role`.
    init(
        method: HTTPRequest.Method, path: String, answers: ResponseSchema? = nil, role: Role, summary: String, body: KeyValuePairs<String, String> = [:], query: [String] = [],
        success: HTTPResponse.Status = .ok, handler: @escaping Handler
    ) {
        self.method = method
        self.path = path
        self.access = .signedIn(role, handler)
        self.summary = summary
        self.body = body
        self.query = query
        self.success = success
        self.answers = answers
    }

    /// A route anyone may call (signing up, logging in).
    init(
        method: HTTPRequest.Method, path: String, answers: ResponseSchema? = nil, summary: String, body: KeyValuePairs<String, String> = [:], query: [String] = [],
        success: HTTPResponse.Status = .ok, handler: @escaping OpenHandler
    ) {
        self.method = method
        self.path = path
        self.access = .open(handler)
        self.summary = summary
        self.body = body
        self.query = query
        self.success = success
        self.answers = answers
    }

    /// The least role allowed; nil for open routes.
    var role: Role? {
        if case .signedIn(let role, _) = access { return role }
        return nil
    }

    /// The path as Hummingbird's router writes it: `/api/bots/:id`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}
