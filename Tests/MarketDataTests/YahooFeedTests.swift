import Foundation
import HTTPTypes
import Hummingbird
import Logging
@testable import MarketDataService
import RPC
import Synchronization
import Testing
import TradingCore

/// The `yahoo` feed against a local server answering in the chart API's JSON.
@Suite("Yahoo feed")
struct YahooFeedTests {
    static let catalog = InstrumentCatalog.standard()

    // Three New York sessions (09:30 open): Mon 13, Tue 14 (a null row: a halt), Wed 15 Nov 2023.
    static let chart = """
        {"chart":{"result":[{"meta":{"currency":"USD","symbol":"AAPL","exchangeName":"NMS","instrumentType":"EQUITY","gmtoffset":-18000,
        "timezone":"EST","exchangeTimezoneName":"America/New_York","regularMarketPrice":188.01,"dataGranularity":"1d","range":""},
        "timestamp":[1699885800,1699972200,1700058600],
        "indicators":{"quote":[{"open":[186.99,null,187.85],"high":[188.11,null,189.5],"low":[186.3,null,187.78],"close":[187.44,null,188.01],
        "volume":[60108400,null,53790500]}],"adjclose":[{"adjclose":[187.2,null,187.77]}]}}],"error":null}}
        """

    @Test("daily candles on the instrument's trading day; null rows are gaps; Yahoo's refusals are reported")
    func history() async throws {
        let asked = Mutex<[String]>([])
        try await VenueServer.with(routes: { router in
            router.get("/v8/finance/chart/{symbol}") { request, context -> Response in
                asked.withLock { $0.append(request.uri.description) }
                switch context.parameters.get("symbol") ?? "" {
                case "AAPL": return VenueServer.json(Self.chart)
                case "MSFT": return Response(status: .tooManyRequests, body: ResponseBody(byteBuffer: .init(string: "Too Many Requests")))
                default:
                    return VenueServer.json(
                        #"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#, status: .notFound)
                }
            }
        }) { port in
            let feed = try YahooFeed(context: FeedContext(catalog: Self.catalog, settings: ["rest_url": "http://127.0.0.1:\(port)"], logger: Logger(label: "y")))
            #expect(feed.instruments.map { Self.catalog[$0].symbol.value } == ["AAPL", "MSFT", "NVDA", "AMZN", "SPY", "QQQ"])
            let aapl = try #require(Self.catalog.id(of: "AAPL"))
            // 2023-11-13 00:00 New York (EST, UTC-5) is 05:00 UTC.
            let monday: Int64 = 1_699_851_600_000_000_000
            let day: Int64 = 86_400_000_000_000
            let candles = try await feed.history(aapl, .d1, from: monday, to: monday + 3 * day)
            #expect(candles.map(\.openTime) == [monday, monday + 2 * day])
            #expect(candles.first.map { ($0.open, $0.high, $0.low, $0.close, $0.volume, $0.periodEnd) } ?? (0, 0, 0, 0, 0, 0) == (186.99, 188.11, 186.3, 187.44, 60_108_400, monday + day))
            #expect(asked.withLock { $0 }.first == "/v8/finance/chart/AAPL?period1=1699851600&period2=1700110800&interval=1d&events=history")

            await #expect(throws: MarketDataError.self) { try await feed.history(aapl, .h1, from: monday, to: monday + day) }
            for (symbol, code) in [("MSFT", MarketDataErrorCode.rateLimited), ("NVDA", .unknownSymbol)] {
                do {
                    _ = try await feed.history(try #require(Self.catalog.id(of: symbol)), .d1, from: monday, to: monday + day)
                    Issue.record("\(symbol) should fail")
                } catch let error as MarketDataError {
                    #expect(error.code == code)
                    if code == .unknownSymbol { #expect(error.message.contains("No data found, symbol may be delisted")) }
                }
            }
        }
    }

    @Test("a chart whose columns do not match its timestamps is refused, not half-read")
    func malformed() {
        #expect(throws: MarketDataError.self) {
            try YahooChart.days(Array(#"{"chart":{"result":[{"timestamp":[1,2],"indicators":{"quote":[{"open":[1],"high":[1],"low":[1],"close":[1],"volume":[1]}]}}],"error":null}}"#.utf8), symbol: "X")
        }
        #expect(throws: MarketDataError.self) { try YahooChart.days(Array("<html>".utf8), symbol: "X") }
    }
}
