import NIOCore
import Synchronization

/// The bounded queue between a subscription's reader thread and its consumer task.
///
/// Concrete rather than `AsyncStream<BusDelivery>`: the generic stream resolved its type metadata
/// at run time on every element, which measured as a fifth of the fan-out cost. Both sides move
/// whole bursts: the reader pushes every message hiredis had buffered as one chunk with one
/// wake-up, and the consumer takes every queued chunk with one lock. Chunks are queued as they
/// are, not copied element by element into one ring: when the consumer lagged, that ring kept
/// doubling and its fresh pages cost a fifth of a fan-out (measured). The reader never blocks:
/// when more than `limit` deliveries wait, the oldest are dropped and counted.
final class DeliveryBuffer: Sendable {
    /// Deliveries taken at once by the consumer, read front to back with `removeFirst`.
    struct Batch {
        fileprivate var chunks: CircularBuffer<[BusDelivery]>
        /// Position in `chunks.first`.
        fileprivate var index: Int

        var isEmpty: Bool { chunks.isEmpty }

        /// The next delivery; the batch must not be empty.
        mutating func removeFirst() -> BusDelivery {
            let delivery = chunks[chunks.startIndex][index]
            index += 1
            if index == chunks[chunks.startIndex].count {
                chunks.removeFirst()
                index = 0
            }
            return delivery
        }
    }

    private struct State {
        var chunks = CircularBuffer<[BusDelivery]>(initialCapacity: 16)
        /// Deliveries of `chunks.first` already dropped.
        var head = 0
        /// Deliveries queued (not counting dropped ones).
        var count = 0
        /// The consumer's last chunk queue, emptied and handed back for its storage.
        var spare: CircularBuffer<[BusDelivery]>?
        var waiter: UnsafeContinuation<Batch?, Never>?
        var finished = false

        mutating func fresh() -> CircularBuffer<[BusDelivery]> {
            defer { spare = nil }
            return spare ?? CircularBuffer(initialCapacity: 16)
        }

        /// Everything queued, leaving the queue empty.
        mutating func takeAll() -> Batch {
            var taken = fresh()
            swap(&taken, &chunks)
            defer { head = 0; count = 0 }
            return Batch(chunks: taken, index: head)
        }
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    /// Queues a burst of deliveries, waking a waiting consumer once for all of them; returns how
    /// many older ones had to be dropped to make room.
    func push(_ chunk: [BusDelivery]) -> Int {
        guard !chunk.isEmpty else { return 0 }
        let (waiter, handed, dropped) = state.withLock { s -> (UnsafeContinuation<Batch?, Never>?, Batch?, Int) in
            if s.finished { return (nil, nil, 0) }
            s.chunks.append(chunk)
            s.count += chunk.count
            var dropped = 0
            while s.count > limit {
                let excess = s.count - limit
                let inFirst = s.chunks[s.chunks.startIndex].count - s.head
                if inFirst <= excess {
                    s.chunks.removeFirst()
                    s.head = 0
                    s.count -= inFirst
                    dropped += inFirst
                } else {
                    s.head += excess
                    s.count -= excess
                    dropped += excess
                }
            }
            guard let w = s.waiter else { return (nil, nil, dropped) }
            // A waiting consumer had an empty queue: what is queued now goes to it.
            s.waiter = nil
            return (w, s.takeAll(), dropped)
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
                s.spare = moved.chunks
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
        if !s.chunks.isEmpty { return .some(s.takeAll()) }
        return s.finished ? .some(nil) : .none
    }
}
