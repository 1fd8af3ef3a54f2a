import Hummingbird
import NIOCore

/// Each request's context: Hummingbird's core, the client's address (the per-address rate limit),
/// and the caller once the authenticator has found one. (The request id is the task's
/// `TraceContext.current`.)
struct GatewayContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// Set by `Authenticator` on the routes that need a caller.
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address (`?` when the socket has none, as in tests over a pipe).
    var clientAddress: String { remoteAddress?.ipAddress ?? "?" }
}

/// The context of a route that needs a caller: the same request, with the principal the
/// authenticator found, so a handler cannot run without one.
struct AuthenticatedContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    let principal: Principal

    init(context: GatewayContext) throws {
        guard let principal = context.principal else {
            // Only reachable if a route were registered past the authenticator.
            throw APIError(.unauthorized, "auth.missing_token", "send Authorization: Bearer <access token> (from POST /api/v1/auth/login)")
        }
        coreContext = context.coreContext
        remoteAddress = context.remoteAddress
        self.principal = principal
    }
}
