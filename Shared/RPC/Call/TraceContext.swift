/// The W3C trace context of the work this task does for someone (`traceparent`,
/// `00-<trace id>-<parent id>-01`), carried in every RPC call made from it.
///
/// The gateway starts one per HTTP request (its trace id is the request id it logs and answers in
/// `X-Request-Id`); a server runs each call's handler with the caller's, so a request's calls to
/// orchestrator, risk and execution, and the calls those make, carry the same trace id and log it.
public enum TraceContext {
    /// The current trace context; empty outside one.
    @TaskLocal public static var traceparent = ""

    /// A `traceparent` for `traceId` (32 lower-case hex digits) with `spanId` (16) as the parent.
    public static func traceparent(traceId: String, spanId: String) -> String { "00-\(traceId)-\(spanId)-01" }

    /// The trace id of a `traceparent`; empty when it is not one.
    public static func traceId(of traceparent: String) -> Substring {
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32 else { return "" }
        return parts[1]
    }
}
