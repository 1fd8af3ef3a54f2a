import Bus
import Contract
import Foundation
import RPC
import ServiceKit
import ServiceKitTesting
import Store
import Testing
import TradingCore
import Wire

@testable import MarketDataService

/// Runs the real market-data host (real Postgres, Redis, RPC on a free port) with `settings`.
func withMarketData<R: Sendable>(
    _ settings: MarketDataSettings, _ body: @Sendable (ServiceHost, MarketDataClient) async throws -> R
) async throws -> R {
    // The tests' candles are from 2024, older than the default retention: a retention sweep landing
    // mid-test deleted what a test had just stored (seen once in CI, between two backfills).
    var settings = settings
    settings.retentionDays = [:]
    return try await ServiceHarness.withHost(service: "market-data", build: { try buildMarketData(configuration: $0, settings: settings) }) { host, client in
        try await body(host, MarketDataClient(client))
    }
}

func range(_ from: Int64, _ to: Int64) -> PB.TimeRange { PB.TimeRange(fromNs: from, toNs: to) }

@Suite("market-data service", .serialized)
struct ServiceTests {
    /// 300 one-minute BTC/USDT candles from t0, as a replay file.
    static func replayFile() throws -> (path: String, rows: [[Double]]) {
        var rng = SplitMix64(seed: 5)
        var lines = ["timestamp,symbol,open,high,low,close,volume"]
        var rows: [[Double]] = []
        var price = 42_000.0
        for i in 0..<300 {
            let open = price
            price = (price + rng.nextGaussian() * 20).rounded()
            let row = [open, max(open, price) + 5, min(open, price) - 5, price, (rng.nextDouble() * 10).rounded()]
            rows.append(row)
            lines.append("\(1_704_153_600_000 + Int64(i) * 60_000),BTCUSDT,\(row.map { "\($0)" }.joined(separator: ","))")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UInt32.random(in: 0...UInt32.max)).csv").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, rows)
    }

    @Test("a replayed file is stored as candles that GetCandles pages through, both ways, with clear errors for bad requests")
    func replayAndPage() async throws {
        let (path, rows) = try Self.replayFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var settings = MarketDataSettings()
        settings.feeds = ["replay"]
        settings.feedSettings["replay"] = ["file": path]
        try await withMarketData(settings) { _, md in
            let all = range(t0, t0 + 300 * minute)
            #expect(try await eventually {
                try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, range: all, page: PB.PageRequest(limit: 1000))).candles.count == 300
            })
            var seen: [PB.Candle] = []
            var cursor = ""
            var pages = 0
            repeat {
                let r = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, range: all, page: PB.PageRequest(limit: 70, cursor: cursor)))
                seen += r.candles
                cursor = r.page?.nextCursor ?? ""
                pages += 1
                #expect(r.page?.hasMore == !cursor.isEmpty)
            } while !cursor.isEmpty
            #expect(pages == 5)
            #expect(seen.map(\.openTimeNs) == (0..<300).map { t0 + Int64($0) * minute })
            #expect(seen.map { [$0.open, $0.high, $0.low, $0.close, $0.volume] } == rows)
            #expect(seen.allSatisfy { $0.closed && $0.symbol == "BTC/USDT" })

            let newest = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, range: all, page: PB.PageRequest(limit: 10), descending: true))
            #expect(newest.candles.map(\.openTimeNs) == (290..<300).reversed().map { t0 + Int64($0) * minute })
            let next = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, range: all, page: PB.PageRequest(limit: 10, cursor: newest.page!.nextCursor), descending: true))
            #expect(next.candles.first?.openTimeNs == t0 + 289 * minute)

            // Higher timeframes were built from the same data.
            let hours = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .h1, range: all))
            #expect(hours.candles.count == 5)
            #expect(hours.candles.first?.high == rows[0..<60].map { $0[1] }.max())

            await #expect(throws: RPCError.self) {
                try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, page: PB.PageRequest(cursor: "garbage")))
            }
            do {
                _ = try await md.getCandles(PB.GetCandlesRequest(symbol: "DOGE/USDT", timeframe: .m1))
                Issue.record("an unknown symbol was accepted")
            } catch let error as RPCError {
                #expect(error.code == .notFound && error.message.contains("marketdata.unknown_symbol"))
            }
            do {
                _ = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT"))
                Issue.record("a missing timeframe was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument && error.message.contains("timeframe"))
            }
            let feeds = try await md.listFeeds(PB.Empty())
            #expect(feeds.feeds.first?.ticksReceived == 1200 && feeds.feeds.first?.ticksRejected == 0)
        }
    }

    @Test("backfill from the simulated feed is idempotent, and Gaps reports exactly the missing candles")
    func backfillAndGaps() async throws {
        var settings = MarketDataSettings()
        settings.feedSettings["simulated"] = ["symbols": "BTC/USDT,AAPL", "time_scale": "0.001"]
        try await withMarketData(settings) { _, md in
            let first = try await md.backfill(PB.BackfillRequest(symbol: "BTC/USDT", timeframe: .m5, range: range(t0, t0 + 120 * minute)))
            #expect(first.fetched == 24 && first.inserted == 24 && first.duplicates == 0)
            let again = try await md.backfill(PB.BackfillRequest(symbol: "BTC/USDT", timeframe: .m5, range: range(t0, t0 + 120 * minute)))
            #expect(again.fetched == 24 && again.inserted == 0 && again.duplicates == 24)
            _ = try await md.backfill(PB.BackfillRequest(symbol: "BTC/USDT", timeframe: .m5, range: range(t0 + 180 * minute, t0 + 240 * minute)))

            let gaps = try await md.gaps(PB.GapsRequest(symbol: "BTC/USDT", timeframe: .m5, range: range(t0 - 30 * minute, t0 + 240 * minute)))
            #expect(gaps.gaps.map(\.missingCandles) == [6, 12])
            #expect(gaps.gaps.last.map { [$0.fromNs, $0.toNs] } == [t0 + 120 * minute, t0 + 180 * minute])

            // A stock's night and weekend are not gaps: Friday and Monday sessions only.
            let friday: Int64 = 1_709_913_600 * second  // 2024-03-08 16:00 UTC
            let monday: Int64 = 1_710_162_000 * second  // 2024-03-11 13:00 UTC, 09:00 in New York (DST began on the 10th)
            _ = try await md.backfill(PB.BackfillRequest(symbol: "AAPL", timeframe: .h1, range: range(friday - 2 * 3_600 * second, friday + 5 * 3_600 * second)))
            _ = try await md.backfill(PB.BackfillRequest(symbol: "AAPL", timeframe: .h1, range: range(monday, monday + 6 * 3_600 * second)))
            let stockGaps = try await md.gaps(PB.GapsRequest(symbol: "AAPL", timeframe: .h1, range: range(friday, monday + 6 * 3_600 * second)))
            #expect(stockGaps.gaps.isEmpty)

            do {
                _ = try await md.backfill(PB.BackfillRequest(symbol: "BTC/USDT", timeframe: .m1, range: range(t0, t0 + 10 * minute), feed: "binance"))
                Issue.record("backfill from a feed that is not running was accepted")
            } catch let error as RPCError {
                #expect(error.code == .notFound && error.message.contains("not running"))
            }
        }
    }

    @Test("a live feed publishes ticks and candles on the bus, keeps quotes in Redis, and streams candles after a snapshot")
    func liveFeed() async throws {
        var settings = MarketDataSettings()
        settings.feedSettings["simulated"] = ["symbols": "BTC/USDT,ETH/USDT", "time_scale": "600", "step_ms": "100"]
        settings.formingPublishInterval = .milliseconds(100)
        settings.quotePublishInterval = .milliseconds(50)
        settings.flushInterval = .milliseconds(50)
        try await withMarketData(settings) { host, md in
            let bus = host.resources.bus!
            let sub = try bus.subscribe(channels: [BusChannel.tick("BTC/USDT"), BusChannel.candle("1m", "BTC/USDT")])
            try await sub.waitUntilSubscribed()
            var ticks = 0
            var closedCandles: [PB.Candle] = []
            for await delivery in sub {
                guard case .message(let channel, let payload) = delivery else { continue }
                if channel == BusChannel.tick("BTC/USDT") {
                    #expect(try PB.Tick(decoding: payload).symbol == "BTC/USDT")
                    ticks += 1
                } else if let m = try? PB.Candle(decoding: payload), m.closed {
                    closedCandles.append(m)
                }
                if ticks > 10 && closedCandles.count >= 2 { break }
            }
            sub.cancel()
            #expect(closedCandles.allSatisfy { $0.symbol == "BTC/USDT" && $0.timeframe == .m1 && $0.high >= $0.low })

            #expect(try await eventually { !(try await bus.fields(BusChannel.quoteKey("ETH/USDT"))).isEmpty })
            let quote = try await md.getQuote(PB.GetQuoteRequest(symbol: "ETH/USDT"))
            #expect(quote.bid < quote.ask && quote.last > 0)
            await #expect(throws: RPCError.self) { try await md.getQuote(PB.GetQuoteRequest(symbol: "AAPL")) }

            let assets = try await md.listAssets(PB.ListAssetsRequest(assetClasses: [.fx]))
            #expect(assets.assets.count == 5 && assets.assets.allSatisfy { $0.instrument?.assetClass == .fx })

            var streamed: [PB.Candle] = []
            for try await c in md.streamCandles(PB.StreamCandlesRequest(symbols: ["BTC/USDT"], timeframe: .m1, snapshot: 2)) {
                streamed.append(c)
                if streamed.filter({ !$0.closed }).count >= 1 && streamed.count >= 4 { break }
            }
            #expect(streamed.prefix(2).allSatisfy { $0.closed })
            let times = streamed.filter(\.closed).map(\.openTimeNs)
            #expect(times == times.sorted() && Set(times).count == times.count)
        }
    }

    @Test("retention sweeps old candles recorded live, and keeps backfilled history and old candles a replay has just built")
    func retentionKeepsWhatWasAskedFor() async throws {
        try await withMarketData(MarketDataSettings()) { host, _ in
            let store = try #require(host.resources.store)
            let repository = CandleRepository(store: store)
            let btc = try InstrumentCatalog.standard().require("BTC/USDT")
            func candles(_ minutes: Range<Int64>) -> [StoredCandle] {
                minutes.map { m in
                    StoredCandle(symbol: "BTC/USDT", candle: CandleState(
                        instrument: btc, timeframe: .m1, openTime: t0 + m * minute, periodEnd: t0 + (m + 1) * minute,
                        open: 100, high: 101, low: 99, close: 100, volume: 1, tradeCount: 1))
                }
            }
            try await repository.upsert(candles(0..<10))  // recorded live when they happened (backdated below)
            try await repository.upsert(candles(10..<20))  // an old period a replay has just built
            try await repository.insertMissing(candles(20..<30), source: "binance")  // backfilled, backdated too
            try await repository.upsert(candles(100..<110))  // newer than the cutoff
            try await store.execute("""
                UPDATE candles SET updated_at = to_timestamp(\(Double(t0) / 1e9)) \
                WHERE open_time_ns < \(t0 + 10 * minute) OR (open_time_ns >= \(t0 + 20 * minute) AND open_time_ns < \(t0 + 30 * minute))
                """)

            let deleted = try await repository.deleteOlder(.m1, than: t0 + 50 * minute)
            #expect(deleted == 10)
            let left = try await store.query("SELECT open_time_ns FROM candles WHERE timeframe = \(Timeframe.m1.wireNumber) ORDER BY open_time_ns")
                .map { try ($0.decode(Int64.self, at: 0) - t0) / minute }
            #expect(left == Array(10..<30) + Array(100..<110))
            #expect(try await repository.deleteOlder(.m5, than: t0 + 50 * minute) == 0)
        }
    }
}
