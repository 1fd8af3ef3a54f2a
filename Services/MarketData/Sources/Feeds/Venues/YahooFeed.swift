import Foundation
import RPC
import ServiceKit
import TradingCore

/// `yahoo`: daily history from Yahoo Finance's chart API, for stocks and ETFs by default (any
/// instrument with a Yahoo spelling when `symbols` names it: `BTC-USD`, `EURUSD=X`).
///
/// `GET <rest_url>/v8/finance/chart/<symbol>?period1=<s>&period2=<s>&interval=1d&events=history`
/// answers `{"chart":{"result":[{"meta":{…},"timestamp":[…],"indicators":{"quote":[{"open":[…],
/// "high":[…],"low":[…],"close":[…],"volume":[…]}]}}],"error":null}}`. Each timestamp is the
/// session's open; the candle is the instrument's trading day (local midnight to midnight, as the
/// service builds daily candles). A day whose values are `null` (a holiday row, a halted stock) is
/// left out, as a gap. Refusals come as `{"chart":{"result":null,"error":{"code","description"}}}`
/// (404 for an unknown symbol); 429 is a rate limit. Yahoo has no stream: this feed answers
/// Backfill only and its live side idles.
public struct YahooFeed: MarketFeed {
    /// The registered name.
    public static let name = "yahoo"
    /// The keys it reads under `feeds.<name>.` (besides `symbols`).
    public static let settings = ["rest_url"]
    public var name: String { Self.name }
    /// The instruments it streams or serves history for.
    public let instruments: [InstrumentID]
    let catalog: InstrumentCatalog
    let rest: OutboundHTTPClient

    /// Builds the feed from its settings; a bad or missing one throws `invalid_configuration`.
    public init(context: FeedContext) throws(MarketDataError) {
        catalog = context.catalog
        let named = context.settings["symbols"].map { !$0.isEmpty } ?? false
        let all = try context.venueInstruments(Self.name)
        instruments = named ? all : all.filter { [.stock, .etf].contains(context.catalog[$0].assetClass) }
        rest = OutboundHTTPClient(baseURL: try context.url("rest_url", default: "https://query1.finance.yahoo.com", schemes: ["http", "https"]))
    }

    /// Yahoo has no stream: idles until cancelled.
    public func run(into sink: FeedSink) async throws {
        // History only: nothing to stream.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }

    /// Closed candles of `instrument` in `[from, to)` from the venue's REST API, oldest first.
    public func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState] {
        guard timeframe == .d1 else { throw MarketDataError(.historyUnavailable, "yahoo serves daily history only, not \(timeframe)") }
        let symbol = catalog.venueSymbol(instrument, feed: Self.name)
        let response = try await rest.get("/v8/finance/chart/\(symbol.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? symbol)", query: [
            ("period1", "\(from / 1_000_000_000)"), ("period2", "\((to + 999_999_999) / 1_000_000_000)"), ("interval", "1d"), ("events", "history"),
        ])
        guard response.status == 200 else {
            throw response.refusal(venue: Self.name, what: "the daily chart of \(symbol)", said: YahooChart.error(response.body))
        }
        let sessions = catalog[instrument].sessions
        return try YahooChart.days(response.body, symbol: symbol).compactMap { day in
            let (start, end) = sessions.period(.d1, containing: day.time)
            guard start >= from, start < to else { return nil }
            return CandleState(
                instrument: instrument, timeframe: .d1, openTime: start, periodEnd: end, open: day.open, high: day.high, low: day.low, close: day.close,
                volume: day.volume, tradeCount: 0)
        }
    }
}

/// Yahoo's chart JSON.
enum YahooChart {
    struct Day: Equatable {
        var time: Int64
        var open, high, low, close, volume: Double
    }

    private struct Document: Decodable {
        struct Chart: Decodable {
            let result: [Result]?
            let error: Failure?
        }
        struct Failure: Decodable {
            let code: String
            let description: String
        }
        struct Result: Decodable {
            let timestamp: [Int64]?
            let indicators: Indicators
        }
        struct Indicators: Decodable { let quote: [Quote] }
        struct Quote: Decodable { let open, high, low, close, volume: [Double?]? }
        let chart: Chart
    }

    /// The complete days of a chart answer, oldest first.
    static func days(_ body: [UInt8], symbol: String) throws(MarketDataError) -> [Day] {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(body)) else {
            throw MarketDataError(.providerError, "yahoo's chart for \(symbol) is not the chart JSON: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        if let failure = document.chart.error { throw MarketDataError(.providerError, "yahoo: \(failure.description) (\(failure.code))") }
        guard let result = document.chart.result?.first else { return [] }
        let times = result.timestamp ?? []
        guard let q = result.indicators.quote.first else { return [] }
        let columns = [q.open, q.high, q.low, q.close, q.volume].map { $0 ?? [] }
        guard columns.allSatisfy({ $0.count == times.count }) else {
            throw MarketDataError(.providerError, "yahoo's chart for \(symbol) has \(times.count) timestamps but columns of other lengths")
        }
        return times.indices.compactMap { i in
            guard let o = columns[0][i], let h = columns[1][i], let l = columns[2][i], let c = columns[3][i] else { return nil }
            return Day(time: times[i] * 1_000_000_000, open: o, high: h, low: l, close: c, volume: columns[4][i] ?? 0)
        }
    }

    /// `chart.error.description`, or the body's start.
    static func error(_ body: [UInt8]) -> String {
        if let failure = (try? JSONDecoder().decode(Document.self, from: Data(body)))?.chart.error { return "\(failure.description) (\(failure.code))" }
        return String(decoding: body.prefix(200), as: UTF8.self)
    }
}
