import ArgumentParser
import Bus
import CBenchBaselines
import Contract
import Foundation
import Logging
import MarketDataService
import NIOCore
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

/// market-data's hot paths: normalization + candle building in process (1, 10, 1000 symbols), the
/// service pipeline to the bus against raw hiredis in the same run, candle upserts into Postgres,
/// and `GetCandles` latency for 10k-candle pages through the real host over RPC.
/// Needs Postgres and Redis (scripts/infra.sh start).
struct MarketDataBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "marketdata", abstract: "market-data ticks/s, bus, inserts, GetCandles.")

    @Option(help: "Ticks per in-process run.") var ticks = 3_000_000
    @Option(help: "Ticks for the run through the bus.") var busTicks = 300_000
    @Option(help: "Candles for the insert and GetCandles runs.") var candles = 200_000
    @Option(help: "GetCandles calls.") var pages = 60

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var figures: [(String, Double)] = []
        for n in [1, 10, 1000] { figures.append(("engine_ticks_per_s_\(n)_symbols", try Self.engineRate(symbols: n, ticks: ticks))) }

        // Through the pipeline to Redis, against raw hiredis publishing to one subscriber.
        let redisPort = BenchInfrastructure.redisPort
        let raw = tw_base_redis_fanout("127.0.0.1", Int32(redisPort), "bench.c.\(UInt32.random(in: 0...UInt32.max))", 1, busTicks, 64)
        guard raw > 0 else { throw ValidationError("cannot reach Redis on port \(redisPort)") }
        let bus = try Self.busRate(port: redisPort, ticks: busTicks, logger: logger)
        figures += [("service_to_bus_ticks_per_s", bus), ("raw_hiredis_publish_per_s", raw), ("ratio_to_raw_hiredis", bus / raw)]

        figures += try await Self.storage(candles: candles, pages: pages, logger: logger)
        printFigures("marketdata", figures)
    }

    /// A catalog of `n` continuously traded pairs.
    static func catalog(_ n: Int) throws -> InstrumentCatalog {
        try InstrumentCatalog((0..<n).map { i in
            Instrument(
                symbol: try Symbol("S\(i)/USDT"), assetClass: .crypto, baseCurrency: "S\(i)", quoteCurrency: "USDT", venue: "bench",
                tickSize: try FixedDecimal(parsing: "0.01"), lotSize: try FixedDecimal(parsing: "0.001"))
        })
    }

    static func simulatedTicks(_ catalog: InstrumentCatalog, count: Int) -> [MarketTick] {
        let ids = catalog.instruments.indices.map { InstrumentID(Int32($0)) }
        var market = SimulatedMarket(catalog: catalog, instruments: ids, seed: 7, start: 1_704_153_600_000_000_000, stepMs: 100)
        var out: [MarketTick] = []
        out.reserveCapacity(count + catalog.count * 4)
        market.generate(until: 1_704_153_600_000_000_000 + Int64(count / catalog.count) * 100_000_000, into: &out)
        out.sort { $0.tsNs < $1.tsNs }
        return out
    }

    /// Ticks per second through validation, quotes and all six timeframes.
    static func engineRate(symbols: Int, ticks: Int) throws -> Double {
        let catalog = try catalog(symbols)
        let input = simulatedTicks(catalog, count: ticks)
        var engine = MarketDataEngine(catalog: catalog)
        var out = EngineOutput()
        out.ticks.reserveCapacity(4096)
        let start = nowNs()
        var i = 0
        while i < input.count {
            let end = min(input.count, i + 4096)
            for t in input[i..<end] { engine.ingest(t, now: t.tsNs, into: &out) }
            engine.advance(to: input[end - 1].tsNs, into: &out)
            out.removeAll()
            i = end
        }
        let seconds = Double(nowNs() - start) / 1e9
        guard engine.accepted == UInt64(input.count) else { return .nan }
        return Double(input.count) / seconds
    }

    /// Ticks per second from `deliver` until a subscriber has received every tick message.
    static func busRate(port: Int, ticks: Int, logger: Logger) throws -> Double {
        var config = BusConfiguration()
        config.port = port
        config.prefix = "bench\(UInt32.random(in: 0...UInt32.max)):"
        config.publishQueueLimit = ticks * 2
        config.subscriberBufferLimit = ticks * 2
        let bus = try Bus(configuration: config, logger: logger)
        defer { bus.shutdown() }
        let catalog = try catalog(10)
        let input = simulatedTicks(catalog, count: ticks)
        let pipeline = MarketDataPipeline(catalog: catalog, bus: bus, logger: logger)
        let subscription = try bus.subscribe(patterns: ["tw.md.tick.*"])
        defer { subscription.cancel() }
        let counted = DispatchSemaphore(value: 0)
        let received = Thread { [subscription] in
            let done = DispatchSemaphore(value: 0)
            Task {
                var n = 0
                for await d in subscription {
                    if case .message = d { n += 1 }
                    if n == input.count { break }
                }
                done.signal()
            }
            done.wait()
            counted.signal()
        }
        while !subscription.isSubscribed { Thread.sleep(forTimeInterval: 0.01) }
        received.start()
        let start = nowNs()
        var i = 0
        while i < input.count {
            let end = min(input.count, i + 1000)
            pipeline.deliver(Array(input[i..<end]), clock: input[end - 1].tsNs, feed: "bench")
            i = end
        }
        guard counted.wait(timeout: .now() + 60) == .success else { return .nan }
        return Double(input.count) / (Double(nowNs() - start) / 1e9)
    }

    /// Candle upserts into a private schema, then `GetCandles` pages through the real host over RPC.
    static func storage(candles: Int, pages: Int, logger: Logger) async throws -> [(String, Double)] {
        let schema = "bench_md_\(UInt32.random(in: 0...UInt32.max))"
        var pg = BenchInfrastructure.postgres
        let admin = try Store(configuration: pg, logger: logger)
        try await admin.unsafeExecuteRaw("CREATE SCHEMA \(schema)")
        var host = HostConfiguration(service: "market-data", schema: schema)
        pg.schema = schema
        pg.poolSize = 2
        host.postgres = pg
        host.bus = nil
        host.logLevel = .error
        host.logFormat = "text"
        var settings = MarketDataSettings()
        settings.feeds = []
        let service = try buildMarketData(configuration: host, settings: settings)
        defer { Task { try? await admin.unsafeExecuteRaw("DROP SCHEMA \(schema) CASCADE"); await admin.shutdown() } }
        return try await withThrowingTaskGroup(of: [(String, Double)]?.self) { group in
            group.addTask { try await service.run(handleSignals: false); return nil }
            let port = try await service.rpcAddress.port!
            let store = try Store(configuration: pg, logger: logger)
            let repository = CandleRepository(store: store)
            let t0: Int64 = 1_704_153_600_000_000_000
            let rows = (0..<candles).map { i in
                let p = 100 + Double(i % 1000) / 10
                return StoredCandle(symbol: "BTC/USDT", candle: CandleState(
                    instrument: InstrumentID(0), timeframe: .m1, openTime: t0 + Int64(i) * 60_000_000_000, periodEnd: t0 + Int64(i + 1) * 60_000_000_000,
                    open: p, high: p + 1, low: p - 1, close: p + 0.5, volume: 10, tradeCount: 50))
            }
            let insertStart = nowNs()
            for chunk in stride(from: 0, to: rows.count, by: 20_000) {
                try await repository.upsert(Array(rows[chunk..<min(rows.count, chunk + 20_000)]))
            }
            let insertRate = Double(rows.count) / (Double(nowNs() - insertStart) / 1e9)
            await store.shutdown()

            let client = RPCClient(
                configuration: RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: host.rpc.secret), logger: logger)
            group.addTask { try await client.run(); return nil }
            let md = MarketDataClient(client)
            var latencies: [Double] = []
            var cursor = ""
            for _ in 0..<pages {
                let start = nowNs()
                let page = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, page: PB.PageRequest(limit: 10_000, cursor: cursor)))
                latencies.append(Double(nowNs() - start) / 1e6)
                guard page.candles.count == 10_000 || !(page.page?.hasMore ?? false) else { throw ValidationError("short page") }
                cursor = page.page?.nextCursor ?? ""
            }
            group.cancelAll()
            latencies.sort()
            return [
                ("candle_upsert_rows_per_s", insertRate), ("get_candles_10k_p50_ms", percentile(latencies, 0.5)),
                ("get_candles_10k_p99_ms", percentile(latencies, 0.99)),
            ]
        }
    }
}
