import NIOCore
import Synchronization

/// The bounded queue between a subscription's reader thread and its consumer task.
///
/// Concrete rather than `AsyncStream<BusDelivery>`: the generic stream resolved its type metadata
/// at run time on every element, which measured as a fifth of the fan-out cost. The reader never
/// blocks: when the consumer is `limit` deliveries behind, the oldest is dropped and counted.
final class DeliveryBuffer: Sendable {
    private struct State {
        var items = CircularBuffer<BusDelivery>(initialCapacity: 64)
        var waiter: UnsafeContinuation<BusDelivery?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds a delivery; returns false when the oldest one had to be dropped to make room.
    func push(_ delivery: BusDelivery) -> Bool {
        enum Outcome { case resume(UnsafeContinuation<BusDelivery?, Never>), queued, dropped, finished }
        let outcome: Outcome = state.withLock { s in
            if s.finished { return .finished }
            if let w = s.waiter {
                s.waiter = nil
                return .resume(w)
            }
            var dropped = false
            if s.items.count >= limit {
                s.items.removeFirst()
                dropped = true
            }
            s.items.append(delivery)
            return dropped ? .dropped : .queued
        }
        switch outcome {
        case .resume(let w):
            w.resume(returning: delivery)
            return true
        case .queued, .finished: return true
        case .dropped: return false
        }
    }

    /// Ends the sequence; a waiting consumer gets nil.
    func finish() {
        let waiter = state.withLock { s -> UnsafeContinuation<BusDelivery?, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next delivery, waiting for one; nil once finished (or when the waiting task is cancelled).
    func next() async -> BusDelivery? {
        if let ready = state.withLock({ s -> BusDelivery?? in
            if let d = s.items.popFirst() { return .some(d) }
            return s.finished ? .some(nil) : .none
        }) {
            return ready
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: UnsafeContinuation<BusDelivery?, Never>) in
                let immediate: BusDelivery?? = state.withLock { s in
                    if let d = s.items.popFirst() { return .some(d) }
                    if s.finished || Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return .none
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            finish()
        }
    }
}
