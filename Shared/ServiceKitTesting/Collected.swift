import Synchronization

/// Text messages gathered by one task (a WebSocket reader) and read by another.
public final class Collected: Sendable {
    private let value = Mutex<[String]>([])

    /// Empty.
    public init() {}

    /// Adds one message.
    public func append(_ text: String) { value.withLock { $0.append(text) } }

    /// Every message so far.
    public var all: [String] { value.withLock { $0 } }

    /// Whether any message so far satisfies `predicate`.
    public func contains(where predicate: (String) -> Bool) -> Bool { value.withLock { $0.contains(where: predicate) } }
}

/// A value one task sets and others read (a port a server reports once it listens, a flag).
public final class SharedValue<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    /// Holding `initial`.
    public init(_ initial: Value) { value = Mutex(initial) }

    /// The current value.
    public var current: Value { value.withLock { $0 } }

    /// Replaces the value.
    public func set(_ newValue: Value) { value.withLock { $0 = newValue } }
}
