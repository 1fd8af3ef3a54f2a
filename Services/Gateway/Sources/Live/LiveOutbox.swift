import NIOCore
import Synchronization

/// One WebSocket connection's queue of messages to write, with the slow-client policy:
/// - prices, candles and indicator values go in order like the rest while the client keeps up; once
///   `conflateAbove` messages wait, they are **conflated**: per channel only the latest waits, so a
///   client that cannot keep up gets the freshest value, never a backlog of stale ones (a burst of
///   ticks to a client that keeps up is delivered whole);
/// - everything else (orders, positions, trades, decisions, jobs, the session's own answers) is
///   **lossless** and in order, up to `backlogLimit` waiting; past that the client is too slow to be
///   served correctly and the connection is closed (`overflowed`), never silently thinned.
/// The hub and the session write into it from any thread; the connection's writer takes everything
/// waiting at once (`nextBatch`), so a burst is written with one flush. Messages are byte buffers:
/// the hub renders an event once and every connection's queue holds the same storage.
final class LiveOutbox: Sendable {
    /// What the writer takes: a message, or "the latest of this channel".
    enum Item: Sendable {
        case text(ByteBuffer)
        case latest(channel: String)
        /// The lossless backlog passed its limit: close the connection.
        case overflow
    }

    private struct State {
        var queue: [Item] = []
        var latest: [String: ByteBuffer] = [:]
        var backlog = 0
        var overflowed = false
        var finished = false
        /// The writer's task was cancelled: it waits no more.
        var cancelled = false
        /// The writer, waiting for something to write.
        var waiter: CheckedContinuation<[Item]?, Never>?
    }

    /// Messages waiting in order before the client is closed as too slow.
    let backlogLimit: Int
    /// Messages waiting beyond which conflatable ones conflate.
    let conflateAbove: Int
    private let state = Mutex(State())

    /// An empty queue with the given limits.
    init(backlogLimit: Int = 4_096, conflateAbove: Int = 256) {
        self.backlogLimit = backlogLimit
        self.conflateAbove = conflateAbove
    }

    /// Queues the JSON `text` in order (the session's own answers).
    func send(_ text: String) { send(ByteBuffer(string: text)) }

    /// Queues `text` in order; past the limit the connection is marked for closing instead.
    func send(_ text: ByteBuffer) {
        push { s in
            guard !s.overflowed else { return nil }
            guard s.backlog < backlogLimit else {
                s.overflowed = true
                return .overflow
            }
            s.backlog += 1
            return .text(text)
        }
    }

    /// Queues `text` of a conflatable `channel`: in order while the client keeps up, else as the
    /// message waiting for `channel`, replacing one not yet written.
    func sendLatest(_ text: ByteBuffer, channel: String) {
        push { s in
            guard !s.overflowed else { return nil }
            if s.latest[channel] == nil, s.backlog < conflateAbove {
                s.backlog += 1
                return .text(text)
            }
            return s.latest.updateValue(text, forKey: channel) == nil ? .latest(channel: channel) : nil
        }
    }

    /// Queues what `decide` returns (under the lock), handing it straight to a waiting writer.
    private func push(_ decide: (inout State) -> Item?) {
        let woken = state.withLock { s -> (CheckedContinuation<[Item]?, Never>, Item)? in
            guard !s.finished, let item = decide(&s) else { return nil }
            if let waiter = s.waiter {
                s.waiter = nil
                return (waiter, item)
            }
            s.queue.append(item)
            return nil
        }
        if let (waiter, item) = woken { waiter.resume(returning: [item]) }
    }

    /// Everything waiting, in order, once there is something; nil once finished and drained, or
    /// when the calling task is cancelled.
    func nextBatch() async -> [Item]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { s -> [Item]?? in
                    if !s.queue.isEmpty {
                        defer { s.queue.removeAll(keepingCapacity: true) }
                        return .some(s.queue)
                    }
                    if s.finished || s.cancelled { return .some(nil) }
                    s.waiter = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<[Item]?, Never>? in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The text to write for `item` (nil: nothing, or the connection must close: see `overflowed`).
    func take(_ item: Item) -> ByteBuffer? {
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
    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<[Item]?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.queue.isEmpty ? s.waiter : nil
        }
        waiter?.resume(returning: nil)
    }
}
