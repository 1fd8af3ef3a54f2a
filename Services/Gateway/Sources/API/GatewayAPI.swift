import Contract
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

/// The REST API: every route with its role, rate limit and error mapping. Its parts by area are in
/// the `GatewayAPI+*.swift` files.
struct GatewayAPI: Sendable {
    let store: Store
    let peers: GatewayPeers
    let settings: GatewaySettings
    let signer: TokenSigner
    /// The per-address and per-user limits (`limits.*`), shared by every replica through Redis.
    let limiter: RateLimiter
    let logins: LoginGuard
    /// This gateway's hash-chained audit trail (logins, users, keys).
    let audit: AuditTrail
    let logger: Logger
    /// `GET /api/assets`, rendered once per `cache.assets_ms`.
    let assetList: SharedRendering

    var routes: [Route] { authRoutes + keyRoutes + marketRoutes + botRoutes + strategyRoutes + aiRoutes + jobRoutes + portfolioRoutes + adminRoutes + userRoutes }

    /// Adds the middleware chain, every route and the OpenAPI document to `router` (the order is
    /// explained in `Pipeline/GatewayMiddleware.swift`).
    func register(on router: Hummingbird.Router<GatewayContext>, cors: CORSPolicy<GatewayContext>, hsts: Bool = false) {
        router.add(middleware: RequestRecorder(logger: logger))
        if hsts { router.add(middleware: StrictTransportSecurity()) }
        router.add(middleware: cors)
        router.add(middleware: RateLimitMiddleware<GatewayContext>(
            limiter: limiter, limit: settings.addressLimit, scope: "your address", key: { LimitKey.client($0.remoteAddress) }))
        let signedIn = router.group()
            .add(middleware: Authenticator(api: self))
            .group(context: AuthenticatedContext.self)
            .add(middleware: RateLimitMiddleware<AuthenticatedContext>(
                limiter: limiter, limit: settings.userLimit, scope: "your account", key: { LimitKey.user($0.principal.userId) }))
        let byRole = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, signedIn.group().add(middleware: RoleCheck(role: $0))) })
        let all = routes
        // Each route at /api/v1/… and at the seed's path without the version, its alias.
        for route in all {
            for path in route.routerPaths {
                switch route.access {
                case .open(let handler):
                    router.on(RouterPath(path), method: route.method) { request, context in
                        try await self.serve(route, request, context) { try await handler(request, context) }
                    }
                case .signedIn(let role, let handler):
                    byRole[role]!.on(RouterPath(path), method: route.method) { request, context in
                        try await self.serve(route, request, context) { try await handler(request, context, context.principal) }
                    }
                }
            }
        }
        let document = OpenAPIDocument.json(for: all), live = AsyncAPIDocument.json()
        for (path, text) in [("/api/openapi.json", document), ("/api/asyncapi.json", live)] {
            for served in [Route.versioned(path), path] {
                router.get(RouterPath(served)) { _, _ in
                    Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
                }
            }
        }
        // /ws upgrades only as a connection's first request (HTTP/1 upgrade in SwiftNIO); a plain
        // request there, or an upgrade on a reused keep-alive connection, gets told what to do.
        router.get("/ws") { _, _ -> Response in
            throw APIError(
                .upgradeRequired, "ws.upgrade_required",
                "/ws is a WebSocket: open it on a new connection with Upgrade: websocket and ?token=<access token>")
        }
        // A method a path does not take answers 405 with the ones it does (not 404, which would say
        // the path is wrong).
        var methods: [String: Set<HTTPRequest.Method>] = [:]
        for route in all { for path in route.routerPaths { methods[path, default: []].insert(route.method) } }
        for (path, taken) in methods {
            let allow = taken.map(\.rawValue).sorted().joined(separator: ", ")
            var others: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .trace, .options, HTTPRequest.Method("QUERY")!]
            if !taken.contains(.get) { others.append(.head) }
            for method in others where !taken.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    var error = APIError(.methodNotAllowed, "request.method_not_allowed", "\(request.method) is not taken here; use \(allow)")
                    error.headers[.allow] = allow
                    throw error
                }
            }
        }
    }

    /// Runs a route's handler; a service's failure becomes its `{"error":…}` body, anything
    /// unexplained a 500 quoting the request id (and logged with it).
    private func serve(_ route: Route, _ request: Request, _ context: some RequestContext, _ handler: () async throws -> Response) async throws -> Response {
        do {
            return try await handler()
        } catch {
            guard let api = APIError.from(error) else {
                logger.error("request failed", metadata: ["http.route": "\(route.path)", "trace_id": "\(TraceContext.current?.traceId ?? "")", "error": "\(error)"])
                return try APIError(.internalServerError, "gateway.internal", "internal error").response(from: request, context: context)
            }
            return try api.response(from: request, context: context)
        }
    }

    /// The caller of `authorization` (`Bearer <access token>` or `ApiKey <id>.<secret>`).
    func authenticate(_ authorization: String?) async throws -> Principal {
        guard let authorization, !authorization.isEmpty else {
            throw APIError(.unauthorized, "auth.missing_token", "send Authorization: Bearer <access token> (from POST /api/v1/auth/login)")
        }
        if authorization.hasPrefix("ApiKey ") {
            let parts = authorization.dropFirst(7).split(separator: ".", maxSplits: 1)
            guard parts.count == 2, UUID(uuidString: String(parts[0])) != nil,
                let key = try await UserTables.key(id: String(parts[0]), secretHash: Secrets.hash(String(parts[1])), store),
                let user = try await UserTables.user(id: key.user, store), !user.disabled
            else { throw APIError(.unauthorized, "auth.invalid_api_key", "the API key is unknown or revoked") }
            return Principal(userId: user.id, role: min(user.role, key.role), accountId: user.accountId, viaKey: true)
        }
        guard authorization.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "auth.invalid_token", "the Authorization header must be `Bearer <access token>` or `ApiKey <id>.<secret>`")
        }
        return try principal(token: String(authorization.dropFirst(7)))
    }

    /// The caller an access token names.
    func principal(token: String) throws -> Principal {
        do {
            let claims = try signer.verify(token, now: Int64(Date().timeIntervalSince1970))
            return Principal(userId: claims.sub, role: claims.role, accountId: claims.acct)
        } catch .expired {
            throw APIError(.unauthorized, "auth.token_expired", "the access token has expired; get a new one from POST /api/v1/auth/refresh")
        } catch {
            throw APIError(.unauthorized, "auth.invalid_token", "the access token is not one this gateway signed")
        }
    }

    /// A path parameter. An `id` that is not a UUID names nothing: 404, as for an id nobody has.
    func parameter(_ name: String, _ context: some RequestContext) throws -> String {
        guard let value = context.parameters.get(name) else { throw APIError(.badRequest, "request.missing_parameter", "\(name) is missing") }
        if name == "id", UUID(uuidString: value) == nil {
            throw APIError(.notFound, "request.not_found", "nothing has the id \"\(value.prefix(40))\"; ids are UUIDs, as the API gave them")
        }
        return value
    }

    /// A query parameter.
    func query(_ name: String, _ request: Request) -> String? { request.uri.queryParameters.get(name) }

    /// The timeframe named (1m when absent; an empty one is refused like any unknown one).
    func timeframe(_ text: String?) throws -> Timeframe {
        guard let text else { return .m1 }
        guard let tf = try? Timeframe(parsing: text) else {
            throw APIError(.badRequest, "request.invalid_field", "timeframe \"\(text.prefix(10))\" is not one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return tf
    }
}
