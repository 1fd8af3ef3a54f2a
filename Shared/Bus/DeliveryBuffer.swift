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
    typealias Batch = CircularBuffer<BusDelivery>

    private struct State {
        var items = Batch(initialCapacity: 64)
        /// The consumer's last batch, emptied and handed back: the next batch reuses its storage,
        /// so a steady stream allocates nothing (copying a large backlog out used to cost a fresh,
        /// zeroed allocation per batch).
        var spare: Batch?
        var waiter: UnsafeContinuation<Batch?, Never>?
        var finished = false

        mutating func fresh() -> Batch {
            defer { spare = nil }
            return spare ?? Batch(initialCapacity: 64)
        }
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds deliveries in order, waking a waiting consumer once for the whole batch; returns how
    /// many older ones had to be dropped to make room.
    func push(_ batch: [BusDelivery]) -> Int {
        guard !batch.isEmpty else { return 0 }
        let (waiter, handed, dropped) = state.withLock { s -> (UnsafeContinuation<Batch?, Never>?, Batch?, Int) in
            if s.finished { return (nil, nil, 0) }
            if let w = s.waiter {
                // A waiting consumer had an empty queue: the batch goes to it whole.
                s.waiter = nil
                var out = s.fresh()
                out.append(contentsOf: batch)
                return (w, out, 0)
            }
            var dropped = 0
            for d in batch {
                if s.items.count >= limit {
                    s.items.removeFirst()
                    dropped += 1
                }
                s.items.append(d)
            }
            return (nil, nil, dropped)
        }
        waiter?.resume(returning: handed)
        return dropped
    }

    /// Ends the sequence; a waiting consumer gets nil.
    func finish() {
        let waiter = state.withLock { s -> UnsafeContinuation<Batch?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// Everything queued (at least one delivery), waiting for it if needed; nil once finished or
    /// when the waiting task is cancelled. `spent` is the caller's previous batch, whose storage
    /// the next one reuses.
    func nextBatch(returning spent: consuming Batch?) async -> Batch? {
        let ready = state.withLock { s in
            // Moved, not copied: a second reference would make the producer's next append copy it.
            if s.spare == nil, let moved = spent.take() {
                s.spare = moved
                s.spare!.removeAll(keepingCapacity: true)
            }
            return Self.take(&s)
        }
        if let ready { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<Batch?, Never>) in
                let immediate: Batch?? = state.withLock { s in
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
    private static func take(_ s: inout State) -> Batch?? {
        if !s.items.isEmpty {
            var batch = s.fresh()
            swap(&batch, &s.items)
            return .some(batch)
        }
        return s.finished ? .some(nil) : .none
    }
}
