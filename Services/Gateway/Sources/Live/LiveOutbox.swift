import Synchronization

/// One WebSocket connection's queue of messages to write, with the slow-client policy:
/// - prices, candles and indicator values go in order like the rest while the client keeps up; once
///   `conflateAbove` messages wait, they are **conflated**: per channel only the latest waits, so a
///   client that cannot keep up gets the freshest value, never a backlog of stale ones (a burst of
///   ticks to a client that keeps up is delivered whole);
/// - everything else (orders, positions, trades, decisions, jobs, the session's own answers) is
///   **lossless** and in order, up to `backlogLimit` waiting; past that the client is too slow to be
///   served correctly and the connection is closed (`overflowed`), never silently thinned.
/// The hub and the session write into it from any thread; the connection's writer reads `items`.
final class LiveOutbox: Sendable {
    /// What the writer takes next: a message, or "the latest of this channel".
    enum Item: Sendable {
        case text(String)
        case latest(channel: String)
        /// The lossless backlog passed its limit: close the connection.
        case overflow
    }

    private struct State {
        var latest: [String: String] = [:]
        var backlog = 0
        var overflowed = false
    }

    /// Messages waiting in order before the client is closed as too slow.
    let backlogLimit: Int
    /// Messages waiting beyond which conflatable ones conflate.
    let conflateAbove: Int
    /// What the connection's writer reads, in order (each through `take`).
    let items: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let state = Mutex(State())

    /// An empty queue with the given limits.
    init(backlogLimit: Int = 4_096, conflateAbove: Int = 256) {
        self.backlogLimit = backlogLimit
        self.conflateAbove = conflateAbove
        (items, continuation) = AsyncStream<Item>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues `text` in order; past the limit the connection is marked for closing instead.
    func send(_ text: String) {
        let outcome = state.withLock { s -> Item? in
            guard !s.overflowed else { return nil }
            guard s.backlog < backlogLimit else {
                s.overflowed = true
                return .overflow
            }
            s.backlog += 1
            return .text(text)
        }
        if let outcome { continuation.yield(outcome) }
    }

    /// Queues `text` of a conflatable `channel`: in order while the client keeps up, else as the
    /// message waiting for `channel`, replacing one not yet written.
    func sendLatest(_ text: String, channel: String) {
        let item = state.withLock { s -> Item? in
            guard !s.overflowed else { return nil }
            if s.latest[channel] == nil, s.backlog < conflateAbove {
                s.backlog += 1
                return .text(text)
            }
            return s.latest.updateValue(text, forKey: channel) == nil ? .latest(channel: channel) : nil
        }
        if let item { continuation.yield(item) }
    }

    /// The text to write for `item` (nil: nothing, or the connection must close: see `overflowed`).
    func take(_ item: Item) -> String? {
        state.withLock { s in
            switch item {
            case .text(let text):
                s.backlog -= 1
                return text
            case .latest(let channel): return s.latest.removeValue(forKey: channel)
            case .overflow: return nil
            }
        }
    }

    /// Whether the lossless backlog passed its limit.
    var overflowed: Bool { state.withLock { $0.overflowed } }

    /// No more messages; the writer ends after what is queued.
    func finish() { continuation.finish() }
}
