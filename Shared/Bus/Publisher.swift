import CoreMetrics
import Foundation
import Logging
import Synchronization

/// The publishing side: `publish` only appends to a bounded queue and returns; one thread owns the
/// Redis connection and sends the queue as pipelined PUBLISH commands. A slow or stuck Redis can
/// fill the queue, after which messages are dropped and counted; callers are never blocked.
final class Publisher: Sendable {
    private struct Queue {
        var items: [(channel: [UInt8], payload: [UInt8])] = []
        var stopped = false
        // Publishers mostly repeat a channel: its prefixed bytes are made once.
        var lastChannel = ""
        var lastChannelBytes: [UInt8] = []
    }

    private let queue = Mutex(Queue())
    private let signal = NSCondition()
    private let configuration: BusConfiguration
    private let metrics: BusMetrics
    private let logger: Logger
    private let finished = NSCondition()
    private let done = Mutex(false)

    init(configuration: BusConfiguration, metrics: BusMetrics, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        let thread = Thread { [self] in loop() }
        thread.name = "tw-bus-publisher"
        thread.start()
    }

    /// Queues a message for `channel` (the bus prefix is added here); false when the queue is full
    /// (dropped, counted).
    func publish(channel: String, payload: [UInt8]) -> Bool {
        let (accepted, wake) = queue.withLock { q -> (Bool, Bool) in
            guard !q.stopped, q.items.count < configuration.publishQueueLimit else { return (false, false) }
            if channel != q.lastChannel {
                q.lastChannel = channel
                q.lastChannelBytes = Array((configuration.prefix + channel).utf8)
            }
            q.items.append((q.lastChannelBytes, payload))
            return (true, q.items.count == 1)
        }
        if !accepted {
            metrics.publishDropped.increment()
            return false
        }
        if wake {
            signal.lock()
            signal.signal()
            signal.unlock()
        }
        return true
    }

    /// Sends what is queued, then stops the thread.
    func stop() {
        queue.withLock { $0.stopped = true }
        signal.lock()
        signal.signal()
        signal.unlock()
        finished.lock()
        while !done.withLock({ $0 }) { finished.wait() }
        finished.unlock()
    }

    private func loop() {
        var connection: RedisConnection?
        var attempt = 0
        while true {
            signal.lock()
            while queue.withLock({ $0.items.isEmpty && !$0.stopped }) { signal.wait() }
            signal.unlock()
            let (batch, stopped) = queue.withLock { q in
                defer { q.items.removeAll(keepingCapacity: true) }
                return (q.items, q.stopped)
            }
            if batch.isEmpty && stopped { break }
            do {
                if connection == nil {
                    connection = try RedisConnection(host: configuration.host, port: configuration.port)
                    attempt = 0
                }
                for m in batch { connection!.appendPublish(channel: m.channel, payload: m.payload) }
                for _ in batch { _ = try connection!.readReply() }
                metrics.published.increment(by: batch.count)
            } catch {
                // The batch may be partly delivered; pub/sub is fire-and-forget, so it is counted and
                // dropped rather than resent (subscribers resync from the owner after reconnecting).
                metrics.publishDropped.increment(by: batch.count)
                if attempt == 0 { logger.warning("bus publish failed", metadata: ["error": "\(error)"]) }
                connection = nil
                attempt += 1
                if stopped { break }
                Thread.sleep(forTimeInterval: configuration.reconnectDelay(attempt: attempt))
            }
            if stopped && queue.withLock({ $0.items.isEmpty }) { break }
        }
        connection = nil
        finished.lock()
        done.withLock { $0 = true }
        finished.signal()
        finished.unlock()
    }
}
