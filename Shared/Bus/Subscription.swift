import CoreMetrics
import Foundation
import Logging
import Synchronization

/// What a subscription delivers.
public enum BusDelivery: Sendable, Hashable {
    /// A message on `channel` (without the bus prefix). The payload is a slice of a buffer shared
    /// by the messages that arrived together (one allocation per burst, not per message).
    case message(channel: String, payload: ArraySlice<UInt8>)
    /// The connection was lost and is subscribed again: messages may have been missed, so re-read
    /// current state from its owner over RPC.
    case resubscribed
}

/// A live subscription: an `AsyncSequence` of deliveries fed by a thread of its own that owns one
/// Redis connection, reconnects with backoff and resubscribes. Its buffer is bounded; when the
/// consumer falls behind, the oldest deliveries are dropped and counted (`droppedCount`).
/// Ends when the consuming task is cancelled or `cancel()` is called.
public final class BusSubscription: AsyncSequence, Sendable {
    public typealias Element = BusDelivery

    private let buffer: DeliveryBuffer
    private let state = Mutex<(connection: RedisConnection?, cancelled: Bool)>((nil, false))
    private let dropped = Atomic<Int>(0)
    private let ready = Atomic<Bool>(false)

    /// Deliveries dropped because the consumer was too slow.
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    /// True once the first SUBSCRIBE has been confirmed by Redis.
    public var isSubscribed: Bool { ready.load(ordering: .acquiring) }

    init(channels: [String], patterns: [String], configuration: BusConfiguration, metrics: BusMetrics, logger: Logger) {
        buffer = DeliveryBuffer(limit: configuration.subscriberBufferLimit)
        let thread = Thread { [self] in
            loop(channels: channels, patterns: patterns, configuration: configuration, metrics: metrics, logger: logger)
        }
        thread.name = "tw-bus-subscriber"
        thread.start()
    }

    /// Iterates deliveries until the subscription is cancelled (by `cancel()` or by cancelling the
    /// consuming task, which also stops the subscription).
    public struct AsyncIterator: AsyncIteratorProtocol {
        let subscription: BusSubscription
        var batch: DeliveryBuffer.Batch?

        public mutating func next() async -> BusDelivery? {
            if batch?.isEmpty ?? true {
                guard let more = await subscription.buffer.nextBatch(returning: batch.take()) else {
                    subscription.cancel()
                    return nil
                }
                batch = more
            }
            return batch!.removeFirst()
        }
    }

    /// An iterator over the deliveries; there is one buffer, so use one iterator per subscription.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(subscription: self) }

    /// Stops the subscription and its thread.
    public func cancel() {
        let connection = state.withLock { s in
            s.cancelled = true
            return s.connection
        }
        connection?.interrupt()
        buffer.finish()
    }

    /// Waits (up to `timeout`) until Redis has confirmed the subscription.
    public func waitUntilSubscribed(timeout: Duration = .seconds(5)) async throws(BusError) {
        let deadline = ContinuousClock.now + timeout
        while !isSubscribed {
            guard ContinuousClock.now < deadline else { throw BusError(code: .connectionFailed, message: "not subscribed within \(timeout)") }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private var isCancelled: Bool { state.withLock { $0.cancelled } }

    private func loop(channels: [String], patterns: [String], configuration: BusConfiguration, metrics: BusMetrics, logger: Logger) {
        let prefix = Array(configuration.prefix.utf8)
        var attempt = 0
        var everConnected = false
        while !isCancelled {
            do {
                let connection = try RedisConnection(host: configuration.host, port: configuration.port)
                let cancelledMeanwhile = state.withLock { s in
                    s.connection = connection
                    return s.cancelled
                }
                if cancelledMeanwhile { break }
                // Named so operators (and tests) can tell subscriptions apart in CLIENT LIST.
                let name = "tw-sub-" + String(configuration.prefix.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" })
                _ = try connection.command([Array("CLIENT".utf8), Array("SETNAME".utf8), Array(name.utf8)])
                var expected = 0
                if !channels.isEmpty {
                    connection.append([Array("SUBSCRIBE".utf8)] + channels.map { prefix + Array($0.utf8) })
                    expected += channels.count
                }
                if !patterns.isEmpty {
                    connection.append([Array("PSUBSCRIBE".utf8)] + patterns.map { prefix + Array($0.utf8) })
                    expected += patterns.count
                }
                for _ in 0..<expected { _ = try connection.readReply() }
                if everConnected {
                    metrics.reconnects.increment()
                    _ = buffer.push([.resubscribed])
                }
                everConnected = true
                attempt = 0
                ready.store(true, ordering: .releasing)
                let collector = PushCollector(prefixCount: prefix.count)
                connection.collectPushes(into: collector)
                while true {
                    try connection.readPushes()
                    let batch = collector.takeDeliveries()
                    metrics.delivered.increment(by: batch.count)
                    let lost = buffer.push(batch)
                    if lost > 0 {
                        dropped.add(lost, ordering: .relaxed)
                        metrics.subscriberDropped.increment(by: lost)
                    }
                }
            } catch {
                state.withLock { $0.connection = nil }
                if isCancelled { break }
                if attempt == 0 { logger.warning("bus subscription lost; reconnecting", metadata: ["error": "\(error)"]) }
                attempt += 1
                Thread.sleep(forTimeInterval: configuration.reconnectDelay(attempt: attempt))
            }
        }
        buffer.finish()
    }
}
