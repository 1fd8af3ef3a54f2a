import Synchronization

/// Text messages gathered by one task (a WebSocket reader) and read by another.
public final class Collected: Sendable {
    public let value = Mutex<[String]>([])

    public init() {}

    /// Adds one message.
    public func append(_ text: String) { value.withLock { $0.append(text) } }

    /// Every message so far.
    public var all: [String] { value.withLock { $0 } }

    /// Whether any message so far satisfies `predicate`.
    public func contains(where predicate: (String) -> Bool) -> Bool { value.withLock { $0.contains(where: predicate) } }
}
