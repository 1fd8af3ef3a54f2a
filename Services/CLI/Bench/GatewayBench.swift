import ArgumentParser
import Bus
import ExecutionService
import Foundation
import GatewayService
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
/// - `GET /api/assets` from 64 keep-alive connections (req/s, p50, p99) by `wrk`;
/// - market updates fanned out to 100 WebSocket clients read by the harness in a process of its
///   own (`ws-harness`): flat out, paced at 500 ticks/s (50k deliveries/s), and the latency curve
///   as the offered deliveries rise (50k, 200k, 500k, 1M a second) — ticks enter market-data's
///   pipeline (what its feeds deliver into), go to Redis, through the gateway's hub to the clients;
/// - the same harness against Python's `websockets` (`ws_server.py`), flat out and paced, in the
///   same run: the baseline;
/// - tick-to-WebSocket latency at 10k ticks/s to one client.
/// The two symbols the WebSocket runs use are left out of the simulated feed, so their only ticks
/// are the bench's, stamped with the wall clock when made.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Gateway req/s, WebSocket fan-out, tick-to-WebSocket latency.")

    @Option(help: "HTTP connections.") var connections = 64
    @Option(help: "Load generator: wrk (a separate C process, as FastAPI was measured), builtin, or auto (wrk when installed).")
    var load = "auto"
    @Option(help: "Seconds of HTTP load (after one second of warm-up).") var seconds = 10.0
    @Option(help: "WebSocket clients for the fan-out run.") var wsClients = 100
    @Option(help: "Ticks per second in the paced fan-out run.") var fanoutRate = 500
    @Option(help: "Ticks per second offered in the flat-out run (far beyond what is delivered).") var flatRate = 20_000
    @Option(help: "Deliveries a second offered in the latency curve (ticks/s × clients), comma-separated.") var curve = "50000,200000,500000,1000000"
    @Option(help: "Ticks per second in the latency run.") var tickRate = 10_000
    @Option(help: "Seconds of warm-up before each WebSocket measurement.") var wsWarmup = 1.0
    @Option(help: "Seconds of each WebSocket measurement.") var wsSeconds = 3.0
    @Option(help: "Measure Python's websockets beside (needs python3 -m venv and PyPI once).") var baseline = true
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
                do {
                    figures += try await self.webSocketFigures(port: port, token: token, pipeline: pipeline)
                } catch {
                    // The hosts run until shut down: stop them, or the group would wait for them forever.
                    await gateway.shutdown()
                    await execution.shutdown()
                    await marketData.shutdown()
                    throw error
                }
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

    /// The WebSocket figures: Python's `websockets` (flat out, paced), then the gateway flat out,
    /// paced, along the curve, and the tick-to-WebSocket latency, each read by the harness.
    func webSocketFigures(port: Int, token: String, pipeline: MarketDataPipeline) async throws -> [(String, Double)] {
        let (clients, warmup, seconds) = (wsClients, wsWarmup, wsSeconds)
        var figures: [(String, Double)] = [("ws_clients", Double(clients)), ("ws_seconds", seconds)]
        var python: (flat: HarnessFigures, paced: HarnessFigures)?
        if baseline {
            let flat = try await PythonWebSockets.run(rate: 0, clients: clients, warmup: warmup, seconds: seconds)
            let paced = try await PythonWebSockets.run(rate: Double(fanoutRate), clients: clients, warmup: warmup, seconds: seconds)
            figures += flat.named("python_websockets_flat") + paced.named("python_websockets_paced")
            python = (flat, paced)
        }
        func gateway(_ symbol: String, rate: Int, clients: Int) async throws -> HarnessFigures {
            // The last run's ticks drain first (what Redis and the hub still held for its clients).
            try await Task.sleep(for: .seconds(1))
            return try await WebSocketHarness.run(
                port: port, path: "/ws?token=\(token)", subscribe: #"{"type":"subscribe","symbol":"\#(symbol)"}"#, clients: clients, warmup: warmup,
                seconds: seconds
            ) { seconds in _ = try await Self.publish(symbol: symbol, rate: rate, seconds: seconds, pipeline: pipeline) }
        }
        let flat = try await gateway(Self.fanoutSymbol, rate: flatRate, clients: clients)
        let paced = try await gateway(Self.fanoutSymbol, rate: fanoutRate, clients: clients)
        figures += flat.named("ws_flat") + paced.named("ws_fanout")
        figures.append(("ws_fanout_delivered_ratio", paced.deliveredPerSecond / Double(fanoutRate * clients)))
        if let python {
            figures += [
                ("ws_flat_x_python", flat.deliveredPerSecond / python.flat.deliveredPerSecond),
                ("ws_fanout_p99_x_python", paced.p99Ms / python.paced.p99Ms),
            ]
        }
        for offered in curve.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            let point = try await gateway(Self.fanoutSymbol, rate: max(1, offered / clients), clients: clients)
            figures += point.named("ws_curve_\(offered)") + [("ws_curve_\(offered)_delivered_ratio", point.deliveredPerSecond / Double(offered))]
        }
        let tick = try await gateway(Self.latencySymbol, rate: tickRate, clients: 1)
        figures += tick.named("tick_to_ws") + [("tick_to_ws_delivered_ratio", tick.deliveredPerSecond / Double(tickRate))]
        return figures
    }

    /// The last sequence number handed out to the bench's ticks.
    static let sequence = Atomic<UInt64>(0)

    /// Delivers ticks of `symbol` at `rate` per second for `seconds` in 1 ms batches, each stamped
    /// with the wall clock; how many.
    static func publish(symbol: String, rate: Int, seconds: Double, pipeline: MarketDataPipeline) async throws -> Int {
        let instrument = try InstrumentCatalog.standard().require(symbol)
        let start = Date()
        var sent = 0
        // Sequence numbers go on from the last run's: the pipeline drops a tick it has seen the number of.
        let firstSeq = sequence.add(UInt64(rate) * UInt64(seconds.rounded(.up) + 1), ordering: .relaxed).oldValue
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds { break }
            let due = Int(elapsed * Double(rate))
            if due > sent {
                let now = WallClock.nowNs
                let batch = (sent..<due).map { i in
                    MarketTick(instrument: instrument, tsNs: now, price: 100 + Double(i % 1000) / 100, size: 1, seq: firstSeq + UInt64(i + 1))
                }
                pipeline.deliver(batch, clock: now, feed: "bench")
                sent = due
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return sent
    }
}
