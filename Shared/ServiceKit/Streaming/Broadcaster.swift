import CoreMetrics
import Synchronization

/// In-process fan-out for server streams: each subscriber has a filter and a bounded buffer; a
/// subscriber that falls behind loses its oldest items (counted in `<metric>`), never slowing the
/// producer.
public final class Broadcaster<Element: Sendable>: Sendable {
    private struct Subscriber: Sendable {
        let accepts: @Sendable (Element) -> Bool
        let continuation: AsyncStream<Element>.Continuation
    }

    private let subscribers = Mutex<[Int: Subscriber]>([:])
    private let nextID = Atomic<Int>(0)
    private let active = Atomic<Int>(0)
    private let droppedItems: Counter

    /// A broadcaster counting items dropped for slow subscribers in the counter `droppedMetric`.
    public init(droppedMetric: String) {
        droppedItems = Counter(label: droppedMetric)
    }

    /// True when anyone listens: producers skip building stream items otherwise.
    public var hasSubscribers: Bool { active.load(ordering: .relaxed) > 0 }

    /// A stream of the items `accepts` lets through, holding at most `buffer` unread ones.
    public func subscribe(buffer: Int = 10_000, accepts: @escaping @Sendable (Element) -> Bool) -> AsyncStream<Element> {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .bufferingNewest(buffer))
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            if self.subscribers.withLock({ $0.removeValue(forKey: id) }) != nil { self.active.subtract(1, ordering: .relaxed) }
        }
        subscribers.withLock { $0[id] = Subscriber(accepts: accepts, continuation: continuation) }
        active.add(1, ordering: .relaxed)
        return stream
    }

    /// Offers `items` to every subscriber.
    public func publish(_ items: some Sequence<Element>) {
        let current = subscribers.withLock { Array($0.values) }
        for s in current {
            for item in items where s.accepts(item) {
                if case .dropped = s.continuation.yield(item) { droppedItems.increment() }
            }
        }
    }
}
