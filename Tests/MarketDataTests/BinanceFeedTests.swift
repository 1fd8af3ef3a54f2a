import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import Contract
import MarketDataService
import RPC
import ServiceKit
import ServiceKitTesting
import Wire
import Synchronization
import Testing
import TradingCore

/// The `binance` feed against a local server speaking Binance's formats (spot WebSocket streams and
/// REST klines, as documented at developers.binance.com), including its errors and limits.
@Suite("Binance feed")
struct BinanceFeedTests {
    static let catalog = InstrumentCatalog.standard()

    static func feed(port: Int, extra: [String: String] = [:]) throws -> BinanceFeed {
        var settings = ["stream_url": "ws://127.0.0.1:\(port)", "rest_url": "http://127.0.0.1:\(port)", "symbols": "BTC/USDT,ETH/USDT"]
        settings.merge(extra) { $1 }
        return try BinanceFeed(context: FeedContext(catalog: catalog, settings: settings, logger: Logger(label: "binance")))
    }

    @Test("the combined stream becomes ticks; bad messages are reported; a dropped connection is taken up again")
    func stream() async throws {
        let requests = Mutex<[String]>([])
        let connection = Mutex(0)
        let stream: VenueServer.Stream = { uri, _, outbound in
            requests.withLock { $0.append(uri) }
            let n = connection.withLock { c in
                c += 1
                return c
            }
            let messages: [String] =
                n == 1
                ? [
                    #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1700000000123,"s":"BTCUSDT","t":12345,"p":"37000.10000000","q":"0.01200000","T":1700000000120,"m":true,"M":true}}"#,
                    #"{"stream":"btcusdt@bookTicker","data":{"u":400900217,"s":"BTCUSDT","b":"36999.90000000","B":"1.20000000","a":"37000.20000000","A":"0.50000000"}}"#,
                    #"{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1700000000200,"s":"BTCUSDT","k":{"t":1699999980000,"T":1700000039999,"s":"BTCUSDT","i":"1m","o":"36990.0","c":"37000.1","h":"37001.0","l":"36989.0","v":"12.5","n":100,"x":false}}}"#,
                    #"{"stream":"dogeusdt@trade","data":{"e":"trade","E":1,"s":"DOGEUSDT","t":1,"p":"0.1","q":"10","T":1,"m":false,"M":true}}"#,
                    "not json",
                    #"{"stream":"ethusdt@trade","data":{"e":"trade","E":1700000000300,"s":"ETHUSDT","t":777,"q":"1.0","T":1700000000300,"m":false,"M":true}}"#,
                    #"{"stream":"ethusdt@trade","data":{"e":"trade","E":1700000000300,"s":"ETHUSDT","t":778,"p":"2000.5","q":"1.5","T":1700000000301,"m":false,"M":true}}"#,
                ]
                : [#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1700000001000,"s":"BTCUSDT","t":12346,"p":"37001.00000000","q":"0.10000000","T":1700000001000,"m":false,"M":true}}"#]
            // A moment first: the WebSocket client loses frames and a close that arrive before it
            // has finished the upgrade (the idle watchdog's test below covers that case).
            try await Task.sleep(for: .milliseconds(100))
            for m in messages { try await outbound.write(.text(m)) }
            // Then the venue drops the connection.
        }
        try await VenueServer.with(routes: { _ in }, streams: ["/stream": stream]) { port in
            let feed = try Self.feed(port: port)
            let recorder = SinkRecorder()
            // The service restarts a feed whose run ended; two runs here are two connections.
            for _ in 0..<2 { try await feed.run(into: recorder.sink) }
            #expect(requests.withLock { $0 }.allSatisfy { $0 == "/stream?streams=btcusdt@trade/btcusdt@bookTicker/ethusdt@trade/ethusdt@bookTicker" })
            let ticks = recorder.ticks
            let btc = try #require(Self.catalog.id(of: "BTC/USDT")), eth = try #require(Self.catalog.id(of: "ETH/USDT"))
            #expect(ticks.count == 4)
            #expect(ticks.first == MarketTick(instrument: btc, tsNs: 1_700_000_000_120_000_000, price: 37000.1, size: 0.012, aggressor: .sell, seq: 12346))
            #expect(ticks.contains { $0.instrument == btc && $0.bid == 36999.9 && $0.ask == 37000.2 && $0.price == 0 })
            #expect(ticks.contains { $0.instrument == eth && $0.price == 2000.5 && $0.aggressor == .buy && $0.tsNs == 1_700_000_000_301_000_000 })
            #expect(ticks.last?.price == 37001 && ticks.last?.seq == 12347)
            let issues = recorder.issues
            #expect(issues.contains { $0.hasPrefix("unknown_symbol") && $0.contains("DOGEUSDT") })
            #expect(issues.filter { $0.hasPrefix("malformed_message") }.count == 2)
            #expect(recorder.connected == [true, false, true, false])
        }
    }

    @Test("a connection that brings nothing for idle_timeout_s is dropped, so the service takes it up again")
    func idleConnection() async throws {
        let stream: VenueServer.Stream = { _, inbound, _ in
            for try await _ in inbound {}  // accepts, then says nothing
        }
        try await VenueServer.with(routes: { _ in }, streams: ["/stream": stream]) { port in
            let feed = try Self.feed(port: port, extra: ["idle_timeout_s": "1"])
            let recorder = SinkRecorder()
            let started = ContinuousClock.now
            do {
                try await feed.run(into: recorder.sink)
                Issue.record("the run ended without an error")
            } catch let error as MarketDataError {
                #expect(error.code == .providerError && error.message.contains("sent nothing"))
            }
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(recorder.connected == [true, false])
        }
    }

    @Test("the feed itself reconnects before Binance's 24-hour limit, also when the venue does not answer the close")
    func rotation() async throws {
        let connection = Mutex(0)
        let closedByClient = Mutex(false)
        let heldOpenToTheEnd = Mutex(false)
        let stream: VenueServer.Stream = { _, inbound, outbound in
            try await outbound.write(.text(#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1.0","q":"1.0","T":1,"m":false,"M":true}}"#))
            if connection.withLock({ c in c += 1; return c }) == 1 {
                // A venue that answers the client's close.
                for try await _ in inbound {}
                closedByClient.withLock { $0 = true }
            } else {
                // One that keeps the connection open regardless.
                try await Task.sleep(for: .seconds(30))
                heldOpenToTheEnd.withLock { $0 = true }
            }
        }
        try await VenueServer.with(routes: { _ in }, streams: ["/stream": stream]) { port in
            let feed = try Self.feed(port: port, extra: ["reconnect_after_s": "1"])
            let recorder = SinkRecorder()
            try await feed.run(into: recorder.sink)
            // The venue's side sees the close on its own schedule, possibly after the run returned.
            #expect(try await eventually(10) { closedByClient.withLock { $0 } })
            await #expect(throws: MarketDataError.self) { try await feed.run(into: recorder.sink) }
            #expect(!heldOpenToTheEnd.withLock { $0 })
            #expect(recorder.ticks.count == 2)
        }
    }

    @Test("klines page forward, wait out a 429, and report Binance's own errors")
    func history() async throws {
        let calls = Mutex(0)
        try await VenueServer.with(routes: { router in
            router.get("/api/v3/klines") { request, _ -> Response in
                let q = request.uri.queryParameters
                let n = calls.withLock { c in
                    c += 1
                    return c
                }
                if q["symbol"] == "ETHUSDT" {
                    return VenueServer.json(
                        #"{"code":-1003,"msg":"Way too much request weight used; IP banned until 1700000120000."}"#,
                        status: HTTPResponse.Status(code: 418), headers: [HTTPField.Name("Retry-After")!: "120"])
                }
                guard q["symbol"] == "BTCUSDT" else { return VenueServer.json(#"{"code":-1121,"msg":"Invalid symbol."}"#, status: .badRequest) }
                if n == 1 {
                    return VenueServer.json(
                        #"{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}"#,
                        status: .tooManyRequests, headers: [HTTPField.Name("Retry-After")!: "1"])
                }
                guard q["interval"] == "1m", let start = q["startTime"].flatMap({ Int64(String($0)) }), let end = q["endTime"].flatMap({ Int64(String($0)) }),
                    let limit = q["limit"].flatMap({ Int(String($0)) })
                else { return VenueServer.json(#"{"code":-1100,"msg":"Illegal characters found in a parameter."}"#, status: .badRequest) }
                var rows: [String] = []
                var t = (start + 59_999) / 60_000 * 60_000
                while t <= end, rows.count < limit {
                    let o = 100 + Double(t / 60_000 % 50)
                    rows.append(#"[\#(t),"\#(o)","\#(o + 2)","\#(o - 1)","\#(o + 1)","3.5",\#(t + 59_999),"350.0",42,"1.0","100.0","0"]"#)
                    t += 60_000
                }
                return VenueServer.json("[" + rows.joined(separator: ",") + "]", headers: [HTTPField.Name("X-MBX-USED-WEIGHT-1M")!: "\(2 * n)"])
            }
        }) { port in
            let feed = try Self.feed(port: port)
            let btc = try #require(Self.catalog.id(of: "BTC/USDT"))
            let from: Int64 = 1_700_000_040_000_000_000 / 60_000_000_000 * 60_000_000_000
            let to = from + 2_500 * 60_000_000_000
            let candles = try await feed.history(btc, .m1, from: from, to: to)
            #expect(candles.count == 2_500)
            #expect(candles.first?.openTime == from && candles.last?.openTime == to - 60_000_000_000)
            #expect(zip(candles, candles.dropFirst()).allSatisfy { $1.openTime - $0.openTime == 60_000_000_000 })
            #expect(candles.first.map { $0.high >= $0.open && $0.low <= $0.close && $0.volume == 3.5 && $0.tradeCount == 42 } == true)
            // One 429, then three pages of at most 1000.
            #expect(calls.withLock { $0 } == 4)

            // An IP ban is not waited out: it is reported with Binance's words and how long it lasts.
            do {
                _ = try await feed.history(try #require(Self.catalog.id(of: "ETH/USDT")), .m1, from: from, to: to)
                Issue.record("a ban should fail the backfill")
            } catch let error as MarketDataError {
                #expect(error.code == .rateLimited && error.message.contains("IP banned until") && error.message.contains("120"))
            }

            let sol = try #require(Self.catalog.id(of: "SOL/USDT"))
            await #expect(throws: MarketDataError.self) { try await feed.history(sol, .m1, from: from, to: to) }
            do {
                _ = try await feed.history(sol, .m1, from: from, to: to)
            } catch let error as MarketDataError {
                #expect(error.code == .invalidArgument && error.message.contains("Invalid symbol. (code -1121)"))
            }
        }
    }

    @Test("through the service: the stream sets the quote, Backfill stores klines once")
    func throughTheService() async throws {
        let stream: VenueServer.Stream = { _, inbound, outbound in
            try await outbound.write(.text(
                #"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":99,"p":"37123.45000000","q":"0.5","T":\#(WallClock.nowNs / 1_000_000),"m":false,"M":true}}"#))
            for try await _ in inbound {}
        }
        try await VenueServer.with(routes: { router in
            router.get("/api/v3/klines") { request, _ -> Response in
                let q = request.uri.queryParameters
                guard let start = q["startTime"].flatMap({ Int64(String($0)) }), let end = q["endTime"].flatMap({ Int64(String($0)) }) else {
                    return VenueServer.json(#"{"code":-1100,"msg":"Illegal characters found in a parameter."}"#, status: .badRequest)
                }
                var rows: [String] = []
                var t = (start + 59_999) / 60_000 * 60_000
                while t <= end, rows.count < 1000 {
                    rows.append(#"[\#(t),"100.0","101.0","99.0","100.5","2.0",\#(t + 59_999),"200.0",7,"1.0","100.0","0"]"#)
                    t += 60_000
                }
                return VenueServer.json("[" + rows.joined(separator: ",") + "]")
            }
        }, streams: ["/stream": stream]) { port in
            try await ServiceHarness.withHost(service: "market-data", build: { configuration in
                var settings = MarketDataSettings()
                settings.feeds = ["binance"]
                settings.retentionDays = [:]  // the backfilled klines may be older than the default retention
                settings.feedSettings["binance"] = ["stream_url": "ws://127.0.0.1:\(port)", "rest_url": "http://127.0.0.1:\(port)", "symbols": "BTC/USDT"]
                return try buildMarketData(configuration: configuration, settings: settings)
            }) { _, client in
                let md = MarketDataClient(client)
                let quoted = try await eventually { (try? await md.getQuote(PB.GetQuoteRequest(symbol: "BTC/USDT")))?.last == 37123.45 }
                #expect(quoted)
                let from: Int64 = 1_700_000_040_000_000_000 / 60_000_000_000 * 60_000_000_000
                let request = PB.BackfillRequest(symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: from, toNs: from + 120 * 60_000_000_000))
                let first = try await md.backfill(request)
                #expect(first.fetched == 120 && first.inserted == 120)
                let again = try await md.backfill(request)
                #expect(again.inserted == 0 && again.duplicates == 120)
                let page = try await md.getCandles(PB.GetCandlesRequest(symbol: "BTC/USDT", timeframe: .m1, range: request.range, page: PB.PageRequest(limit: 500)))
                #expect(page.candles.count == 120 && page.candles.first?.close == 100.5)
            }
        }
    }

    @Test("settings are checked: URLs, symbols Binance does not list")
    func settings() throws {
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["stream_url": "http://x"]) }
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["symbols": "EUR/USD"]) }
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["reconnect_after_s": "0"]) }
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["idle_timeout_s": "0"]) }
    }
}
