/// The W3C trace context of the work this task does for someone, carried in every RPC call made
/// from it as `traceparent` (`00-<trace id>-<parent id>-01`).
///
/// The gateway starts one per HTTP request (its trace id is the request id it logs and answers in
/// `X-Request-Id`); a server runs each call's handler inside the caller's, so a request's calls to
/// orchestrator, risk and execution, and the calls those make, carry the same trace id and log it.
/// Held as its parts: the header is only spelled out when a call is made.
public struct TraceContext: Sendable, Hashable {
    /// 32 lower-case hex digits.
    public var traceId: String
    /// 16 lower-case hex digits: the span the calls are made from.
    public var parentId: String

    /// The trace context this task works in; nil outside one.
    @TaskLocal public static var current: TraceContext?

    /// A context of `traceId` (32 hex digits) and `parentId` (16).
    public init(traceId: String, parentId: String) {
        self.traceId = traceId
        self.parentId = parentId
    }

    /// The context a `traceparent` header names; nil when it is not one.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return nil }
        self.init(traceId: String(parts[1]), parentId: String(parts[2]))
    }

    /// The `traceparent` header.
    public var traceparent: String { "00-\(traceId)-\(parentId)-01" }

    /// The `traceparent` a call made now carries: `explicit` when given, else the task's, else none.
    static func header(_ explicit: String) -> String { explicit.isEmpty ? current?.traceparent ?? "" : explicit }
}
