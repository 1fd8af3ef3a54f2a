import NIOCore
import Wire

/// Handlers by method name. A service's generated `registerMethods(with:)` fills one; the server
/// looks each request's method up here.
public struct Router: Sendable {
    /// A method's handler, erased to bytes in and frames out.
    public typealias Handler = @Sendable (_ payload: [UInt8], _ context: ServerCallContext, _ sink: CallSink) async throws -> Void

    struct Route: Sendable {
        let method: String
        let kind: MethodKind
        let handler: Handler
        let metrics: MethodMetrics

        init(method: String, kind: MethodKind, handler: @escaping Handler) {
            self.method = method
            self.kind = kind
            self.handler = handler
            self.metrics = MethodMetrics(method: method)
        }
    }

    private(set) var routes: [String: Route] = [:]

    /// An empty router.
    public init() {}

    /// Every registered `Service.Method`, sorted.
    public var methodNames: [String] { routes.keys.sorted() }

    func route(_ method: String) -> Route? { routes[method] }

    /// Serves `method` with a handler that answers once.
    ///
    /// Inlinable so that the decode and encode below are specialized for the message types where a
    /// service registers its methods; unspecialized, they instantiated generic metadata at run time
    /// on every call.
    @inlinable
    public mutating func unary<Req, Res>(
        _ method: MethodDescriptor<Req, Res>,
        _ handler: @escaping @Sendable (Req, ServerCallContext) async throws -> Res
    ) {
        add(method.fullName, .unary) { payload, context, sink in
            let request = try Req(decoding: payload)
            let response = try await handler(request, context)
            try sink.respond(payload: response.encodedBytes())
        }
    }

    /// Serves `method` with a handler that writes any number of items, then returns.
    @inlinable
    public mutating func serverStreaming<Req, Res>(
        _ method: MethodDescriptor<Req, Res>,
        _ handler: @escaping @Sendable (Req, ServerCallContext, StreamWriter<Res>) async throws -> Void
    ) {
        add(method.fullName, .serverStreaming) { payload, context, sink in
            let request = try Req(decoding: payload)
            try await handler(request, context, StreamWriter(sink: sink))
        }
    }

    @usableFromInline
    mutating func add(_ method: String, _ kind: MethodKind, _ handler: @escaping Handler) {
        precondition(routes[method] == nil, "\(method) is registered twice")
        routes[method] = Route(method: method, kind: kind, handler: handler)
    }
}
