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
