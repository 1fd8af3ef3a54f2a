import HTTPTypes
import Hummingbird

/// Cross-origin access for browsers: a frontend on one of `origins` (scheme, host and port, as the
/// browser sends `Origin`) may call the API. A preflight from an allowed origin is answered 204
/// with the methods and headers the API takes; other origins get no CORS headers (the browser then
/// refuses), and nothing is allowed when the list is empty (production's default). Tokens travel in
/// the Authorization header, never in cookies, so credentials are not allowed, and `*` never is.
struct CORSPolicy<Context: RequestContext>: RouterMiddleware {
    let origins: Set<String>

    static var allowedMethods: String { "GET, POST, PUT, DELETE, OPTIONS" }
    static var allowedHeaders: String { "Authorization, Content-Type" }

    /// Whether a caller sending `origin` may open the WebSocket on `host`. A browser page always
    /// sends an http(s) origin (or `null` from a sandbox): it must be the gateway's own origin or one
    /// on the list. No `Origin`, or another scheme (`ws://`, as some WebSocket libraries send), is
    /// not a browser page and is let through to the token check.
    func admits(_ origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        if origin == "null" { return false }
        guard origin.hasPrefix("http://") || origin.hasPrefix("https://") else { return true }
        if let host, origin == "http://" + host || origin == "https://" + host { return true }
        return origins.contains(origin)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = Self.allowedMethods
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        // A refusal further down (401, 403, 429) must reach the page too, or it cannot tell why.
        var response = try await answer(request, context, next)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, X-Request-Id"
        response.headers[.vary] = "Origin"
        return response
    }
}
