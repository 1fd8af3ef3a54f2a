import HTTPTypes
import Hummingbird

// The gateway's middleware chain, in the order a request meets it:
//   RequestRecorder (request id, trace, metrics, log line) → CORSPolicy → per-address rate limit
//   → [routes needing a caller] Authenticator → AuthenticatedContext → per-user rate limit → RoleCheck → handler.
// The per-address limit comes before authentication so bad tokens and API keys cost at most that
// budget; the per-user limit comes after it, because a key taken from unverified credentials would
// let anyone spend someone else's budget.

/// Refuses a request over `limit` for the key `key` gives (429 `gateway.rate_limited` with
/// `Retry-After` and the `RateLimit-*` fields).
struct RateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let limit: RateLimit
    /// What the caller is limited as, in messages: "your address", "your account".
    let scope: String
    let key: @Sendable (Context) -> LimitKey

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !limit.isOff else { return try await next(request, context) }
        if case .refused(let wait) = await limiter.admit(key(context), limit) {
            let seconds = max(1, Int(wait.rounded(.up)))
            var error = APIError(.tooManyRequests, "gateway.rate_limited", "too many requests from \(scope); retry in \(seconds) s")
            error.headers[.retryAfter] = "\(seconds)"
            error.headers[.rateLimitLimit] = "\(Int(limit.burst))"
            error.headers[.rateLimitRemaining] = "0"
            error.headers[.rateLimitReset] = "\(seconds)"
            error.headers[.rateLimitPolicy] = "\(Int(limit.burst));w=\(max(1, Int((limit.burst / limit.rate).rounded(.up))))"
            throw error
        }
        return try await next(request, context)
    }
}

/// Finds the caller of a route that needs one (`Authorization: Bearer …` or `ApiKey …`), or answers 401.
struct Authenticator: RouterMiddleware {
    let api: GatewayAPI

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        var context = context
        context.principal = try await api.authenticate(request.headers[.authorization])
        return try await next(request, context)
    }
}

/// Answers 403 to a caller whose role is below the route's.
struct RoleCheck: RouterMiddleware {
    let role: Role

    func handle(
        _ request: Request, context: AuthenticatedContext, next: (Request, AuthenticatedContext) async throws -> Response
    ) async throws -> Response {
        guard context.principal.role >= role else {
            let path = context.endpointPath ?? request.uri.path
            throw APIError(.forbidden, "gateway.forbidden", "\(request.method) \(path) needs the \(role.rawValue) role; you are \(context.principal.role.rawValue)")
        }
        return try await next(request, context)
    }
}

/// Tells browsers to use HTTPS only, for a year (the gateway serves it; only added when it does).
struct StrictTransportSecurity: RouterMiddleware {
    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        var response = try await answer(request, context, next)
        response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        return response
    }
}

/// What the rest of the chain answers, a refusal thrown further down (401, 403, 429) included as its
/// response, for middlewares that add headers to every answer.
func answer<Context: RequestContext>(
    _ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response
) async throws -> Response {
    do { return try await next(request, context) } catch let error as any HTTPResponseError {
        return try error.response(from: request, context: context)
    }
}

extension HTTPField.Name {
    /// The request id (the trace id of the RPC calls the request made).
    static let requestId = Self("X-Request-Id")!
    /// IETF draft-ietf-httpapi-ratelimit-headers fields.
    static let rateLimitLimit = Self("RateLimit-Limit")!
    static let rateLimitRemaining = Self("RateLimit-Remaining")!
    static let rateLimitReset = Self("RateLimit-Reset")!
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
}
