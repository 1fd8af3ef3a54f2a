/// Per-call settings on the client.
public struct CallOptions: Sendable {
    /// Time the call may take end to end; `nil` uses the client's default.
    public var timeout: Duration?
    /// W3C `traceparent` to continue a trace across the call; empty: the task's `TraceContext`.
    public var traceparent: String

    /// Options with the client's default timeout and no trace context unless given.
    public init(timeout: Duration? = nil, traceparent: String = "") {
        self.timeout = timeout
        self.traceparent = traceparent
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max`.
    var nanosecondsClamped: Int64 {
        let (s, atto) = components
        let (ns, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if o { return s < 0 ? Int64.min : Int64.max }
        let (total, o2) = ns.addingReportingOverflow(atto / 1_000_000_000)
        return o2 ? (s < 0 ? Int64.min : Int64.max) : total
    }
}
