import Foundation

/// Polls `condition` every 50 ms until it holds (true) or `seconds` pass (false): for effects that
/// land asynchronously (a flush, a bus delivery), without a fixed sleep.
public func eventually(_ seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// Polls `probe` every 200 ms until it answers a value, which it returns; after `seconds` it throws
/// a timeout naming `what` is awaited.
public func eventually<T>(_ what: String, seconds: Double = 30, _ probe: () async throws -> T?) async throws -> T {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw EventuallyTimeout(what: what, seconds: seconds)
}

/// What `eventually(_:seconds:_:)` throws when its wait ends empty.
public struct EventuallyTimeout: Error, CustomStringConvertible {
    /// What was awaited, and for how long.
    public let what: String
    public let seconds: Double
    /// `waited <seconds> s for <what>`.
    public var description: String { "waited \(seconds) s for \(what)" }
}
