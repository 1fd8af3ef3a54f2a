import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPC
import ServiceKit
import Synchronization
import Testing
import TradingCore

@testable import MarketDataService

/// The `oanda` feed against a local server speaking OANDA v20: the pricing stream (newline-delimited
/// JSON with heartbeats) and instrument candles, with its authorization and error answers.
@Suite("OANDA feed")
struct OandaFeedTests {
    static let catalog = InstrumentCatalog.standard()
    static let token = "test-token-0123456789abcdef"

    static func feed(port: Int, extra: [String: String] = [:], token: String = OandaFeedTests.token) throws -> OandaFeed {
        var settings = [
            "stream_url": "http://127.0.0.1:\(port)", "rest_url": "http://127.0.0.1:\(port)", "account_id": "101-004-1234567-001",
            "symbols": "EUR/USD,USD/JPY",
        ]
        settings.merge(extra) { $1 }
        return try OandaFeed(
            context: FeedContext(catalog: catalog, settings: settings, logger: Logger(label: "oanda")), environment: ["TRADEWIND_OANDA_TOKEN": token])
    }

    static func authorized(_ request: Request) -> Bool { request.headers[.authorization] == "Bearer \(token)" }

    static let unauthorized = VenueServer.json(#"{"errorMessage":"Insufficient authorization to perform request."}"#, status: .unauthorized)

    @Test("prices become quote ticks at their own time; heartbeats pass; bad lines are reported; a silent stream is dropped")
    func stream() async throws {
        let silentStreamEnded = Mutex(false)
        let connection = Mutex(0)
        try await VenueServer.with(routes: { router in
            router.get("/v3/accounts/{account}/pricing/stream") { request, context -> Response in
                guard Self.authorized(request) else { return Self.unauthorized }
                guard context.parameters.get("account") == "101-004-1234567-001", request.uri.queryParameters["instruments"] == "EUR_USD,USD_JPY" else {
                    return VenueServer.json(#"{"errorMessage":"Invalid value specified for 'instruments'"}"#, status: .badRequest)
                }
                let n = connection.withLock { c in
                    c += 1
                    return c
                }
                let lines =
                    n == 1
                    ? [
                        #"{"type":"HEARTBEAT","time":"2023-11-14T15:05:50.163791738Z"}"#,
                        #"{"type":"PRICE","time":"2023-11-14T15:05:47.960449532Z","bids":[{"price":"1.07090","liquidity":10000000}],"asks":[{"price":"1.07102","liquidity":10000000}],"closeoutBid":"1.07090","closeoutAsk":"1.07102","status":"tradeable","tradeable":true,"instrument":"EUR_USD"}"#,
                        #"{"type":"PRICE","time":"2023-11-14T15:05:48.000000000Z","bids":[{"price":"1950.10","liquidity":100}],"asks":[{"price":"1950.60","liquidity":100}],"tradeable":true,"instrument":"XAU_USD"}"#,
                        "{oops",
                        #"{"type":"PRICE","time":"2023-11-14T15:05:49.5Z","bids":[{"price":"151.402","liquidity":1000000}],"asks":[{"price":"151.415","liquidity":1000000}],"tradeable":true,"instrument":"USD_JPY"}"#,
                    ] : [#"{"type":"HEARTBEAT","time":"2023-11-14T15:06:00.000000000Z"}"#]
                return Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: ResponseBody { writer in
                        // Lines split across writes, as a stream delivers them.
                        for line in lines {
                            let bytes = Array((line + "\n").utf8)
                            try await writer.write(ByteBuffer(bytes: bytes.prefix(7)))
                            try await writer.write(ByteBuffer(bytes: bytes.dropFirst(7)))
                        }
                        if n > 1 {
                            try await Task.sleep(for: .seconds(30))
                            silentStreamEnded.withLock { $0 = true }
                        }
                        try await writer.finish(nil)
                    })
            }
        }) { port in
            let feed = try Self.feed(port: port, extra: ["heartbeat_timeout_s": "1"])
            let recorder = SinkRecorder()
            try await feed.run(into: recorder.sink)
            let eur = try #require(Self.catalog.id(of: "EUR/USD")), jpy = try #require(Self.catalog.id(of: "USD/JPY"))
            #expect(recorder.ticks == [
                MarketTick(instrument: eur, tsNs: 1_699_974_347_960_449_532, bid: 1.0709, ask: 1.07102),
                MarketTick(instrument: jpy, tsNs: 1_699_974_349_500_000_000, bid: 151.402, ask: 151.415),
            ])
            #expect(recorder.issues.contains { $0.hasPrefix("unknown_symbol") && $0.contains("XAU_USD") })
            #expect(recorder.issues.filter { $0.hasPrefix("malformed_message") }.count == 1)
            // The second stream only sends a heartbeat, then nothing: the feed gives up on it.
            await #expect(throws: OutboundHTTPClient.Failure.self) { try await feed.run(into: recorder.sink) }
            #expect(!silentStreamEnded.withLock { $0 })
            #expect(recorder.connected == [true, false, true, false])

            // A token OANDA refuses: the error says so and never shows the token.
            let refused = try Self.feed(port: port, token: "a-revoked-token-987654321")
            do {
                try await refused.run(into: recorder.sink)
                Issue.record("a refused token should fail")
            } catch let error as MarketDataError {
                #expect(error.code == .invalidConfiguration && error.message.contains("Insufficient authorization"))
                #expect(!error.message.contains("a-revoked-token"))
            }
            // A refused stream was never connected.
            #expect(recorder.connected == [true, false, true, false])
        }
    }

    @Test("candles in windows of at most 5000 with mid prices, incomplete ones left out, refusals reported")
    func history() async throws {
        let windows = Mutex<[(String, String)]>([])
        try await VenueServer.with(routes: { router in
            router.get("/v3/instruments/{instrument}/candles") { request, context -> Response in
                guard Self.authorized(request) else { return Self.unauthorized }
                let q = request.uri.queryParameters
                if context.parameters.get("instrument") == "GBP_USD" {
                    return VenueServer.json(#"{"errorMessage":"Rate limit violation. Allowed rate: 100 requests per 1 second"}"#, status: .tooManyRequests)
                }
                guard context.parameters.get("instrument") == "EUR_USD" else {
                    return VenueServer.json(#"{"errorMessage":"Invalid value specified for 'instrument'"}"#, status: .badRequest)
                }
                guard q["granularity"] == "M1", q["price"] == "M", q["dailyAlignment"] == "0", q["alignmentTimezone"] == "America/New_York",
                    let from = q["from"].flatMap({ TimestampParser.parse(Substring($0)) }), let to = q["to"].flatMap({ TimestampParser.parse(Substring($0)) }),
                    (to - from) / 60_000_000_000 <= 5000
                else { return VenueServer.json(#"{"errorMessage":"Invalid value specified for 'from'"}"#, status: .badRequest) }
                windows.withLock { $0.append((String(q["from"]!), String(q["to"]!))) }
                var entries: [String] = []
                var t = from
                while t < to {
                    let seconds = t / 1_000_000_000
                    let stamp = OandaMessage.rfc3339(t)
                    let o = 1.07 + Double(seconds / 60 % 10) / 10_000
                    // The newest candle of the whole range is still forming.
                    let complete = t + 60_000_000_000 < 1_699_920_000_000_000_000 + 7000 * 60_000_000_000
                    entries.append(#"{"complete":\#(complete),"volume":12,"time":"\#(stamp)","mid":{"o":"\#(o)","h":"\#(o + 0.0002)","l":"\#(o - 0.0001)","c":"\#(o + 0.0001)"}}"#)
                    t += 60_000_000_000
                }
                return VenueServer.json(#"{"instrument":"EUR_USD","granularity":"M1","candles":["# + entries.joined(separator: ",") + "]}")
            }
        }) { port in
            let feed = try Self.feed(port: port)
            let eur = try #require(Self.catalog.id(of: "EUR/USD"))
            let from: Int64 = 1_699_920_000_000_000_000
            let candles = try await feed.history(eur, .m1, from: from, to: from + 7000 * 60_000_000_000)
            #expect(candles.count == 6999 && candles.first?.openTime == from && candles.first?.volume == 12)
            #expect(windows.withLock { $0.map(\.0) } == [OandaMessage.rfc3339(from), OandaMessage.rfc3339(from + 5000 * 60_000_000_000)])
            #expect(OandaMessage.rfc3339(from) == "2023-11-14T00:00:00.000000000Z")

            for (symbol, code, said) in [
                ("USD/JPY", MarketDataErrorCode.invalidArgument, "Invalid value specified for 'instrument'"), ("GBP/USD", .rateLimited, "Rate limit violation"),
            ] {
                do {
                    _ = try await feed.history(try #require(Self.catalog.id(of: symbol)), .m1, from: from, to: from + 60_000_000_000)
                    Issue.record("\(symbol) should fail")
                } catch let error as MarketDataError {
                    #expect(error.code == code && error.message.contains(said))
                }
            }
        }
    }

    @Test("settings: an account id and a token are required; the token comes from the environment")
    func settings() throws {
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["account_id": ""]) }
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, token: "") }
        #expect(throws: MarketDataError.self) { try Self.feed(port: 1, extra: ["symbols": "BTC/USDT"]) }
    }
}
