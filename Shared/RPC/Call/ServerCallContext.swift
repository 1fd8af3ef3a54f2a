import Logging
import NIOCore

/// What a handler knows about the call it serves.
public struct ServerCallContext: Sendable {
    /// `Service.Method`.
    public let method: String
    /// When the client stops waiting; `nil` when the call has no deadline. The server cancels the
    /// handler's task at this instant.
    public let deadline: NIODeadline?
    /// The client's address, e.g. `127.0.0.1:52311`.
    public let peer: String
    /// The client's name from the hello frame (e.g. `orchestrator`).
    public let peerName: String
    /// W3C trace context of the caller, empty when none.
    public let traceparent: String
    private let connectionLogger: Logger

    /// A context for one call (made by the server; public for handler tests).
    public init(method: String, deadline: NIODeadline?, peer: String, peerName: String, traceparent: String, connectionLogger: Logger) {
        self.method = method
        self.deadline = deadline
        self.peer = peer
        self.peerName = peerName
        self.traceparent = traceparent
        self.connectionLogger = connectionLogger
    }

    /// A logger carrying `rpc.method` (and `trace_id` when the caller sent a trace context: the
    /// gateway's request id), built when asked for (most calls never log, and adding metadata allocates).
    public var logger: Logger {
        var l = connectionLogger
        l[metadataKey: "rpc.method"] = "\(method)"
        if let trace = TraceContext(traceparent: traceparent) { l[metadataKey: "trace_id"] = "\(trace.traceId)" }
        return l
    }

    /// Time left before the deadline (`nil` without one).
    public var timeRemaining: TimeAmount? { deadline.map { $0 - .now() } }
}
