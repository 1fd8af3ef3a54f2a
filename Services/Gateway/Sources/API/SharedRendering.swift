import NIOCore
import Synchronization

/// A response body every caller shares for `ttl`: the first caller after it expires renders it
/// again while the others wait for that same rendering, so a burst of requests costs the peer one
/// call and the gateway one JSON encoding. A failed rendering is not kept; the next caller retries.
final class SharedRendering: Sendable {
    private struct State {
        var body: ByteBuffer?
        var renderedAt: ContinuousClock.Instant = .now
        var inFlight: Task<ByteBuffer, any Error>?
    }

    let ttl: Duration
    private let state = Mutex(State())

    /// `ttl` zero renders for every caller.
    init(ttl: Duration) { self.ttl = ttl }

    func body(_ render: @escaping @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        guard ttl > .zero else { return try await render() }
        let (cached, task): (ByteBuffer?, Task<ByteBuffer, any Error>?) = state.withLock { s in
            if let body = s.body, ContinuousClock.now - s.renderedAt < ttl { return (body, nil) }
            if let running = s.inFlight { return (nil, running) }
            let started = ContinuousClock.now
            let running = Task { try await render() }
            s.inFlight = running
            // Kept once done; the instant is when rendering began, so the body is never older than `ttl`.
            Task { [weak self] in
                let body = try? await running.value
                self?.state.withLock { s in
                    s.inFlight = nil
                    if let body { (s.body, s.renderedAt) = (body, started) }
                }
            }
            return (nil, running)
        }
        if let cached { return cached }
        return try await task!.value
    }
}
