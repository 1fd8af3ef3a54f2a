import ArgumentParser
import Bus
import CBenchBaselines
import Logging
import Foundation

/// One publisher to ten subscribers, 100-byte payloads, against a raw hiredis C fan-out in the
/// same run. Needs a Redis: `--redis-port` or $TRADEWIND_REDIS_PORT (scripts/infra.sh start).
struct BusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus", abstract: "Bus fan-out vs raw hiredis.")

    @Option(help: "Redis host.") var redisHost = "127.0.0.1"
    @Option(help: "Redis port (default $TRADEWIND_REDIS_PORT or 6379).") var redisPort: Int?
    @Option(help: "Messages to publish.") var messages = 200_000
    @Option(help: "Subscribers.") var subscribers = 10

    func run() async throws {
        let port = redisPort ?? BenchInfrastructure.redisPort
        let baseline = tw_base_redis_fanout(redisHost, Int32(port), "bench.c.\(UInt32.random(in: 0...UInt32.max))", subscribers, messages, 100)
        guard baseline > 0 else { throw ValidationError("cannot reach Redis at \(redisHost):\(port)") }

        var config = BusConfiguration()
        config.host = redisHost
        config.port = port
        config.prefix = "bench\(UInt32.random(in: 0...UInt32.max)):"
        config.subscriberBufferLimit = messages
        config.publishQueueLimit = messages
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let bus = try Bus(configuration: config, logger: logger)
        let subs = try (0..<subscribers).map { _ in try bus.subscribe(channels: ["tw.bench"]) }
        for s in subs { try await s.waitUntilSubscribed() }
        let payload = [UInt8](repeating: 120, count: 100)
        var publishNs: [Double] = []
        publishNs.reserveCapacity(messages)
        let start = nowNs()
        let delivered = try await withThrowingTaskGroup(of: Int.self) { group in
            for s in subs {
                group.addTask {
                    var n = 0
                    for await _ in s {
                        n += 1
                        if n == messages { break }
                    }
                    return n
                }
            }
            for _ in 0..<messages {
                let t0 = nowNs()
                bus.publish("tw.bench", payload: payload)
                publishNs.append(Double(nowNs() - t0) / 1000)
            }
            var total = 0
            for try await n in group { total += n }
            return total
        }
        let seconds = Double(nowNs() - start) / 1e9
        subs.forEach { $0.cancel() }
        bus.shutdown()
        publishNs.sort()
        let rate = Double(delivered) / seconds
        printFigures("bus", [
            ("fanout_delivered_per_s", rate), ("c_fanout_delivered_per_s", baseline), ("ratio_to_c", rate / baseline),
            ("publish_p50_us", percentile(publishNs, 0.5)), ("publish_p99_us", percentile(publishNs, 0.99)),
            ("dropped", Double(subs.map(\.droppedCount).reduce(0, +))),
        ])
    }
}
