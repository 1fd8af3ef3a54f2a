import NIOCore
import Synchronization

/// The bounded queue between a subscription's reader thread and its consumer task.
///
/// Concrete rather than `AsyncStream<BusDelivery>`: the generic stream resolved its type metadata
/// at run time on every element, which measured as a fifth of the fan-out cost. Both sides move
/// batches: the reader hands over every message hiredis had buffered with one wake-up, and the
/// consumer takes everything queued with one lock. The reader never blocks: when more than `limit`
/// deliveries wait, the oldest are dropped and counted.
final class DeliveryBuffer: Sendable {
    private struct State {
        var items = CircularBuffer<BusDelivery>(initialCapacity: 64)
        var waiter: UnsafeContinuation<[BusDelivery]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds deliveries in order, waking a waiting consumer once for the whole batch; returns how
    /// many older ones had to be dropped to make room.
    func push(_ batch: [BusDelivery]) -> Int {
        guard !batch.isEmpty else { return 0 }
        let (waiter, dropped) = state.withLock { s -> (UnsafeContinuation<[BusDelivery]?, Never>?, Int) in
            if s.finished { return (nil, 0) }
            if let w = s.waiter {
                s.waiter = nil
                return (w, 0)
            }
            var dropped = 0
            for d in batch {
                if s.items.count >= limit {
                    s.items.removeFirst()
                    dropped += 1
                }
                s.items.append(d)
            }
            return (nil, dropped)
        }
        // A waiting consumer had an empty queue: the batch goes to it whole.
        waiter?.resume(returning: batch)
        return dropped
    }

    /// Ends the sequence; a waiting consumer gets nil.
    func finish() {
        let waiter = state.withLock { s -> UnsafeContinuation<[BusDelivery]?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything queued (at least one delivery), waiting for it if needed; nil once finished or
    /// when the waiting task is cancelled.
    func nextBatch() async -> [BusDelivery]? {
        if let ready = state.withLock({ s in Self.take(&s) }) { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<[BusDelivery]?, Never>) in
                let immediate: [BusDelivery]?? = state.withLock { s in
                    if let batch = Self.take(&s) { return .some(batch) }
                    if Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return .none
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            finish()
        }
    }

    /// The queued deliveries (emptying the queue), `.some(nil)` when finished, nil when empty.
    private static func take(_ s: inout State) -> [BusDelivery]?? {
        if !s.items.isEmpty {
            let batch = Array(s.items)
            s.items.removeAll(keepingCapacity: true)
            return .some(batch)
        }
        return s.finished ? .some(nil) : .none
    }
}
