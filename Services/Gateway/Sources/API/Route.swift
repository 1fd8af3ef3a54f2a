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
    /// OpenAPI style, as the seed's API named it: `/api/bots/{id}`. The route is served at its
    /// `versionedPath` and here, an alias of the same version.
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

    /// The API version the paths without one are aliases of.
    static let version = "v1"

    /// `/api/v1/bots/{id}`: the path the OpenAPI document lists.
    var versionedPath: String { Self.versioned(path) }

    /// `path` under `/api/<version>/`.
    static func versioned(_ path: String) -> String {
        guard path.hasPrefix("/api/") else { return path }
        return "/api/\(version)/" + path.dropFirst("/api/".count)
    }

    /// Both paths as Hummingbird's router writes them (`/api/v1/bots/:id`, `/api/bots/:id`).
    var routerPaths: [String] { [Self.routerPath(versionedPath), Self.routerPath(path)] }

    /// An OpenAPI path as Hummingbird's router writes it: `/api/bots/:id`.
    static func routerPath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}
