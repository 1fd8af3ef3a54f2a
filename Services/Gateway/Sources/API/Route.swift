import HTTPTypes
import Hummingbird

/// One endpoint of the REST API: registered with the router and described in the OpenAPI
/// document from the same entry, so the document says what the gateway really does.
struct Route: Sendable {
    typealias Handler = @Sendable (Request, GatewayContext, Principal?) async throws -> Response

    let method: HTTPRequest.Method
    /// OpenAPI style: `/api/bots/{id}`.
    let path: String
    /// The least role allowed; nil for public routes.
    let role: Role?
    let summary: String
    /// The JSON body's fields and their JSON types (`"symbol": "string"`); required ones end in `!`.
    var body: KeyValuePairs<String, String> = [:]
    /// Query parameters.
    var query: [String] = []
    /// What the handler answers when it succeeds (the OpenAPI document says so).
    var success: HTTPResponse.Status = .ok
    let handler: Handler

    /// The path as Hummingbird's router writes it: `/api/bots/:id`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix("{") ? ":" + part.dropFirst().dropLast() : String(part)
        }.joined(separator: "/")
    }
}
