import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Wire

/// Redis pub/sub fan-out over hiredis, plus the few key commands the platform needs (latest quotes).
///
/// Every hiredis handle lives on a thread of its own (the publisher's, each subscription's) or is
/// used under a lock from a dedicated command thread; nothing blocking runs on an event loop or the
/// cooperative pool. Publishing never blocks. Run it as a `Service` to flush and close on shutdown.
public final class Bus: Service, Sendable {
    /// The settings this bus was made with.
    public let configuration: BusConfiguration
    let logger: Logger
    let metrics = BusMetrics()
    private let publisher: Publisher
    private let commands: CommandRunner

    /// Starts the publisher and command threads; connections are made on first use and re-made after a loss.
    public init(configuration: BusConfiguration, logger: Logger) throws(BusError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.publisher = Publisher(configuration: configuration, metrics: metrics, logger: logger)
        self.commands = CommandRunner(configuration: configuration)
    }

    /// Waits for graceful shutdown, then flushes the publish queue and closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }

    /// Sends what is queued and closes the connections.
    public func shutdown() {
        publisher.stop()
        commands.stop()
    }

    // MARK: Publishing

    /// Publishes raw bytes; returns false when the queue was full and the message was dropped.
    @discardableResult
    public func publish(_ channel: String, payload: [UInt8]) -> Bool {
        publisher.publish(channel: channel, payload: payload)
    }

    /// Publishes a contract message, protobuf-encoded (the same bytes as on the RPC wire).
    @discardableResult
    public func publish<M: ProtoMessage>(_ channel: String, _ message: M) throws(WireError) -> Bool {
        publish(channel, payload: try message.encodedBytes())
    }

    // MARK: Subscribing

    /// Subscribes to exact channels and/or glob patterns (`tw.md.tick.*`).
    public func subscribe(channels: [String] = [], patterns: [String] = []) throws(BusError) -> BusSubscription {
        for name in channels + patterns {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
                throw BusError(code: .invalidChannel, message: "channel \"\(name)\" is empty or holds spaces or control characters")
            }
        }
        guard !(channels.isEmpty && patterns.isEmpty) else {
            throw BusError(code: .invalidChannel, message: "subscribe needs at least one channel or pattern")
        }
        return BusSubscription(channels: channels, patterns: patterns, configuration: configuration, metrics: metrics, logger: logger)
    }

    /// Decoded messages of one contract type from `subscription`; payloads that do not decode are
    /// counted (`bus_undecodable_total`) and skipped; `.resubscribed` is passed on as `nil` message.
    public func messages<M: ProtoMessage>(_ type: M.Type, from subscription: BusSubscription) -> some AsyncSequence<(channel: String, message: M?), Never> {
        let metrics = self.metrics
        return subscription.compactMap { delivery -> (channel: String, message: M?)? in
            switch delivery {
            case .resubscribed: return (channel: "", message: nil)
            case .message(let channel, let payload):
                guard let m = try? M(decoding: payload) else {
                    metrics.undecodable.increment()
                    return nil
                }
                return (channel: channel, message: m)
            }
        }
    }

    // MARK: Keys (latest quotes)

    /// Runs one Redis command (with the bus prefix applied to `key`) and returns its reply.
    public func command(_ name: String, key: String, _ arguments: [[UInt8]] = []) async throws(BusError) -> RedisValue {
        let args = [Array(name.utf8), Array((configuration.prefix + key).utf8)] + arguments
        let reply = try await commands.run(args)
        if case .error(let message) = reply { throw BusError(code: .commandFailed, message: "\(name) \(key): \(message)") }
        return reply
    }

    /// Runs the Lua `script` atomically on `keys` (the bus prefix applied) with `arguments` (EVAL;
    /// Redis keeps the compiled script, keyed by its hash).
    public func evaluate(_ script: String, keys: [String], _ arguments: [String]) async throws(BusError) -> RedisValue {
        let args = [Array("EVAL".utf8), Array(script.utf8), Array(String(keys.count).utf8)]
            + keys.map { Array((configuration.prefix + $0).utf8) } + arguments.map { Array($0.utf8) }
        let reply = try await commands.run(args)
        if case .error(let message) = reply { throw BusError(code: .commandFailed, message: "EVAL on \(keys.joined(separator: ", ")): \(message)") }
        return reply
    }

    /// Sets fields of the hash at `key` (HSET).
    public func setFields(_ key: String, _ fields: [(String, String)]) async throws(BusError) {
        _ = try await command("HSET", key: key, fields.flatMap { [Array($0.0.utf8), Array($0.1.utf8)] })
    }

    /// All fields of the hash at `key` (HGETALL); empty when it does not exist.
    public func fields(_ key: String) async throws(BusError) -> [String: String] {
        guard case .array(let items) = try await command("HGETALL", key: key) else { return [:] }
        var out: [String: String] = [:]
        var i = 0
        while i + 1 < items.count {
            if let k = items[i].text, let v = items[i + 1].text { out[k] = v }
            i += 2
        }
        return out
    }
}
