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
    /// A logger carrying `rpc.method` and `rpc.peer`.
    public let logger: Logger

    public init(method: String, deadline: NIODeadline?, peer: String, peerName: String, traceparent: String, logger: Logger) {
        self.method = method
        self.deadline = deadline
        self.peer = peer
        self.peerName = peerName
        self.traceparent = traceparent
        self.logger = logger
    }

    /// Time left before the deadline (`nil` without one).
    public var timeRemaining: TimeAmount? { deadline.map { $0 - .now() } }
}
