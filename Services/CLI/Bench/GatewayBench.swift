import ArgumentParser
import Bus
import ExecutionService
import Foundation
import GatewayService
import HummingbirdWSClient
import Logging
import MarketDataService
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceKit
import Store
import Synchronization
import TradingCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The gateway under load, through real hosts in this process (market-data with its simulated
/// feed, execution, the gateway) on loopback, Postgres and Redis from `scripts/infra.sh start`:
/// - `GET /api/assets` from 64 keep-alive connections (req/s, p50, p99), as `wrk` would;
/// - market updates fanned out to 100 WebSocket clients (delivered/s, p99 from tick to client);
/// - tick-to-WebSocket latency at 10k ticks/s: ticks enter market-data's pipeline (what its feeds
///   deliver into), go to Redis, through the gateway's hub to a client.
/// The two symbols the WebSocket runs use are left out of the simulated feed, so their only ticks
/// are the bench's, stamped with the wall clock when made.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Gateway req/s, WebSocket fan-out, tick-to-WebSocket latency.")

    @Option(help: "HTTP connections.") var connections = 64
    @Option(help: "Load generator: wrk (a separate C process, as FastAPI was measured), builtin, or auto (wrk when installed).")
    var load = "auto"
    @Option(help: "Seconds of HTTP load (after one second of warm-up).") var seconds = 10.0
    @Option(help: "WebSocket clients for the fan-out run.") var wsClients = 100
    @Option(help: "Ticks per second in the fan-out run.") var fanoutRate = 500
    @Option(help: "Ticks per second in the latency run.") var tickRate = 10_000
    @Option(help: "Seconds of each WebSocket run.") var wsSeconds = 5.0
    @Option(help: "Rate limit per user and per address, requests a second (burst twice that; 0: off). High enough by default that the load is never refused, so the run measures what the limits cost.")
    var rateLimit = 1_000_000.0

    static let fanoutSymbol = "XRP/USDT"
    static let latencySymbol = "BNB/USDT"

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let pg = BenchInfrastructure.postgres
        var bus = BusConfiguration()
        bus.port = BenchInfrastructure.redisPort
        let tag = "bench_gw_\(UInt32.random(in: 0...UInt32.max))"
        bus.prefix = tag + ":"
        bus.publishQueueLimit = 1 << 20
        let admin = try Store(configuration: pg, logger: logger)
        let schemas = ["market_data", "execution", "gateway"].map { "\(tag)_\($0)" }
        for s in schemas { try await admin.unsafeExecuteRaw("CREATE SCHEMA \(s)") }
        defer { Task { for s in schemas { try? await admin.unsafeExecuteRaw("DROP SCHEMA \(s) CASCADE") }; await admin.shutdown() } }

        func host(_ service: String, _ schema: String) -> HostConfiguration {
            var c = HostConfiguration(service: service, schema: schema)
            var store = pg
            store.schema = schema
            store.poolSize = 4
            c.postgres = store
            c.bus = bus
            c.logLevel = .error
            c.logFormat = "text"
            return c
        }
        var marketSettings = MarketDataSettings()
        let catalog = InstrumentCatalog.standard()
        marketSettings.feedSettings["simulated"] = [
            "symbols": catalog.instruments.map(\.symbol.value).filter { $0 != Self.fanoutSymbol && $0 != Self.latencySymbol }.joined(separator: ",")
        ]
        let marketData = try buildMarketData(configuration: host("market-data", schemas[0]), settings: marketSettings)
        let httpPort = NIOLockedValueBox(0)

        let figures: [(String, Double)] = try await withThrowingTaskGroup(of: [(String, Double)]?.self) { group in
            group.addTask { try await marketData.run(handleSignals: false); return nil }
            let marketAddress = PeerAddress(host: "127.0.0.1", port: try await marketData.rpcAddress.port!, name: "market-data")
            var executionSettings = ExecutionSettings()
            executionSettings.marketData = marketAddress
            let execution = try buildExecution(configuration: host("execution", schemas[1]), settings: executionSettings)
            group.addTask { try await execution.run(handleSignals: false); return nil }
            var settings = GatewaySettings()
            settings.marketData = marketAddress
            settings.execution = PeerAddress(host: "127.0.0.1", port: try await execution.rpcAddress.port!, name: "execution")
            settings.httpPort = 0
            settings.jwtSecret = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined(separator: "-")
            settings.bcryptCost = 4
            settings.userLimit = RateLimit(rate: rateLimit, burst: 2 * rateLimit)
            settings.addressLimit = settings.userLimit
            // Every bench client is the same user.
            settings.webSocketConnectionsPerUser = max(wsClients, 1) + 1
            let gateway = try buildGateway(configuration: host("gateway", schemas[2]), settings: settings) { port in httpPort.withLockedValue { $0 = port } }
            group.addTask { try await gateway.run(handleSignals: false); return nil }
            group.addTask { [bus, logger] in
                while httpPort.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
                let port = httpPort.withLockedValue { $0 }
                let token = try await Self.register(port: port)
                // Quotes of the simulated feed reach market-data first.
                try await Task.sleep(for: .seconds(1))
                var figures = try await self.httpLoad(port: port, token: token)
                let pipelineBus = try Bus(configuration: bus, logger: logger)
                defer { pipelineBus.shutdown() }
                let pipeline = MarketDataPipeline(catalog: catalog, bus: pipelineBus, logger: logger)
                figures += try await self.webSocketRun(
                    "ws_fanout", port: port, token: token, clients: wsClients, rate: fanoutRate, symbol: Self.fanoutSymbol, pipeline: pipeline)
                figures += try await self.webSocketRun(
                    "tick_to_ws", port: port, token: token, clients: 1, rate: tickRate, symbol: Self.latencySymbol, pipeline: pipeline)
                return figures
            }
            var result: [(String, Double)] = []
            while let next = try await group.next() {
                if let figures = next {
                    result = figures
                    await gateway.shutdown()
                    await execution.shutdown()
                    await marketData.shutdown()
                }
            }
            return result
        }
        printFigures("gateway", figures)
    }

    /// Registers a user; its access token.
    static func register(port: Int) async throws -> String {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/auth/register")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"email":"bench@example.com","password":"bench password"}"#.utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let body = try JSONSerialization.jsonObject(with: data) as? [String: Any], let token = body["access_token"] as? String else {
            throw ValidationError("registering failed: \(String(decoding: data, as: UTF8.self))")
        }
        return token
    }

    func httpLoad(port: Int, token: String) async throws -> [(String, Double)] {
        let (rate, p50, p99, non2xx, generator): (Double, Double, Double, Double, Double)
        if let wrk = WrkLoad.find(), load != "builtin" {
            let r = try WrkLoad.run(wrk, url: "http://127.0.0.1:\(port)/api/assets", token: token, connections: connections, seconds: seconds)
            (rate, p50, p99, non2xx, generator) = (r.requestsPerSecond, r.p50Ms, r.p99Ms, Double(r.non2xx), 1)
        } else {
            guard load != "wrk" else { throw ValidationError("--load wrk: wrk is not installed (apt-get install wrk)") }
            let load = HTTPLoad(port: port, path: "/api/assets", headers: ["Authorization": "Bearer \(token)"])
            // The generator's own thread, as a separate process would have.
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            _ = try await load.run(connections: connections, seconds: 1, group: group)
            let r = try await load.run(connections: connections, seconds: seconds, group: group)
            try await group.shutdownGracefully()
            (rate, p50, p99, non2xx, generator) = (Double(r.requests) / r.seconds, percentile(r.latencies, 0.5), percentile(r.latencies, 0.99), Double(r.non2xx), 0)
        }
        return [
            ("assets_connections", Double(connections)), ("assets_load_wrk", generator), ("assets_req_per_s", rate), ("assets_p50_ms", p50),
            ("assets_p99_ms", p99), ("assets_non_2xx", non2xx),
            // FastAPI + uvicorn on this machine kind: ~1.6–6k req/s (issue 3); the target is 10× its best.
            ("assets_x_fastapi_6k", rate / 6000),
        ]
    }

    /// `clients` WebSocket clients subscribed to `symbol`; ticks of `symbol` at `rate` per second
    /// for `wsSeconds` through market-data's pipeline; what arrived and how late.
    func webSocketRun(
        _ name: String, port: Int, token: String, clients: Int, rate: Int, symbol: String, pipeline: MarketDataPipeline
    ) async throws -> [(String, Double)] {
        let receivers = (0..<clients).map { _ in UpdateReceiver() }
        let wsSeconds = self.wsSeconds
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for receiver in receivers {
                group.addTask {
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws?token=\(token)", logger: Logger(label: "ws")) { inbound, outbound, _ in
                        try await outbound.write(.text(#"{"type":"subscribe","symbol":"\#(symbol)"}"#))
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            guard case .text(let text) = message else { continue }
                            if receiver.take(text) { break }
                        }
                    }
                }
            }
            let subscribeBy = Date().addingTimeInterval(30)
            while receivers.contains(where: { !$0.isSubscribed }) {
                guard Date() < subscribeBy else { throw ValidationError("\(receivers.filter { !$0.isSubscribed }.count) of \(clients) clients were not subscribed within 30 s") }
                try await Task.sleep(for: .milliseconds(20))
            }
            let published = try await Self.publish(symbol: symbol, rate: rate, seconds: wsSeconds, pipeline: pipeline)
            // Whatever is still in flight arrives within a second, or is counted as lost.
            let expected = published * clients
            let drainUntil = Date().addingTimeInterval(1)
            while Date() < drainUntil, receivers.reduce(0, { $0 + $1.count }) < expected { try await Task.sleep(for: .milliseconds(20)) }
            for receiver in receivers { receiver.finish() }
            group.cancelAll()
            let latencies = receivers.flatMap(\.latencies).sorted()
            return [
                ("\(name)_clients", Double(clients)), ("\(name)_ticks_per_s", Double(published) / wsSeconds),
                ("\(name)_delivered_per_s", Double(latencies.count) / wsSeconds), ("\(name)_delivered_ratio", Double(latencies.count) / Double(max(1, expected))),
                ("\(name)_p50_ms", percentile(latencies, 0.5)), ("\(name)_p99_ms", percentile(latencies, 0.99)),
                ("\(name)_max_ms", latencies.last ?? .nan),
            ]
        }
    }

    /// Delivers ticks of `symbol` at `rate` per second for `seconds` in 1 ms batches, each stamped
    /// with the wall clock; how many.
    static func publish(symbol: String, rate: Int, seconds: Double, pipeline: MarketDataPipeline) async throws -> Int {
        let instrument = try InstrumentCatalog.standard().require(symbol)
        let start = Date()
        var sent = 0
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds { break }
            let due = Int(elapsed * Double(rate))
            if due > sent {
                let now = WallClock.nowNs
                let batch = (sent..<due).map { i in
                    MarketTick(instrument: instrument, tsNs: now, price: 100 + Double(i % 1000) / 100, size: 1, seq: UInt64(i + 1))
                }
                pipeline.deliver(batch, clock: now, feed: "bench")
                sent = due
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return sent
    }
}

/// One WebSocket client's market updates: how many and how late (receive time minus the tick's
/// timestamp).
final class UpdateReceiver: Sendable {
    private let state = Mutex((subscribed: false, finished: false, latencies: [Double]()))

    var isSubscribed: Bool { state.withLock { $0.subscribed } }
    var count: Int { state.withLock { $0.latencies.count } }
    var latencies: [Double] { state.withLock { $0.latencies } }
    func finish() { state.withLock { $0.finished = true } }

    /// Takes one message; true when the client should stop reading.
    func take(_ text: String) -> Bool {
        let now = WallClock.nowNs
        let timestamp = Self.timestamp(in: text)
        return state.withLock { s in
            if text.contains(#""type":"subscribed""#) { s.subscribed = true }
            if let timestamp { s.latencies.append(Double(now - timestamp) / 1e6) }
            return s.finished
        }
    }

    /// The `"timestamp_ns":"<ns>"` of a market update (the tick's time to the nanosecond; the
    /// `timestamp` beside it is milliseconds), read without a JSON parser (the client must not be
    /// the bottleneck).
    static func timestamp(in text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        let key = Array(#""timestamp_ns":""#.utf8)
        guard let range = utf8.firstRange(of: key) else { return nil }
        var value: Int64 = 0
        var i = range.upperBound
        while i < utf8.count, (48...57).contains(utf8[i]) {
            value = value * 10 + Int64(utf8[i] - 48)
            i += 1
        }
        return i > range.upperBound ? value : nil
    }
}
