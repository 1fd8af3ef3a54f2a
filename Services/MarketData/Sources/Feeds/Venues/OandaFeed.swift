import Foundation
import RPC
import ServiceKit
import TradingCore

/// `oanda`: OANDA v20 prices for FX.
///
/// Live: `GET <stream_url>/v3/accounts/<account_id>/pricing/stream?instruments=EUR_USD,…`,
/// newline-delimited JSON: `{"type":"PRICE","time":"…Z","bids":[{"price":"1.11590",…}],
/// "asks":[…],"instrument":"EUR_USD","tradeable":true,…}` becomes a quote tick (best bid and ask)
/// at its own time; `{"type":"HEARTBEAT"}` arrives every 5 s, and a stream silent for
/// `heartbeat_timeout_s` (10) is dropped and reopened (the service reconnects with backoff).
/// History: `GET <rest_url>/v3/instruments/<instrument>/candles?granularity=M1&price=M&from=&to=`
/// with mid prices, in windows of at most 5000 candles, days aligned to midnight New York
/// (`dailyAlignment=0`) as the service's FX days are. Incomplete candles are left out.
/// The token is read from the environment variable named by `token_env`
/// (`TRADEWIND_OANDA_TOKEN`) and sent only as the bearer header: it is never logged or shown.
/// OANDA's refusals (`{"errorMessage": …}`, 401, 404) and rate limits (429) are reported as such.
public struct OandaFeed: MarketFeed {
    /// The registered name.
    public static let name = "oanda"
    /// The keys it reads under `feeds.<name>.` (besides `symbols`).
    public static let settings = ["stream_url", "rest_url", "account_id", "token_env", "heartbeat_timeout_s"]
    public var name: String { Self.name }
    /// The instruments it streams or serves history for.
    public let instruments: [InstrumentID]
    let catalog: InstrumentCatalog
    let stream: OutboundHTTPClient
    let rest: OutboundHTTPClient
    let accountId: String
    let heartbeatTimeout: Duration

    /// Builds the feed from its settings; a bad or missing one throws `invalid_configuration`.
    public init(context: FeedContext, environment: [String: String] = ProcessInfo.processInfo.environment) throws(MarketDataError) {
        catalog = context.catalog
        instruments = try context.venueInstruments(Self.name)
        accountId = context.settings["account_id"] ?? ""
        guard accountId.range(of: #"^[A-Za-z0-9-]{1,64}$"#, options: .regularExpression) != nil else {
            throw MarketDataError(.invalidConfiguration, "account_id = \"\(accountId.prefix(70))\" must be an OANDA account id (e.g. 101-004-1234567-001)")
        }
        let tokenVariable = context.settings["token_env"] ?? "TRADEWIND_OANDA_TOKEN"
        guard let token = environment[tokenVariable], !token.isEmpty else {
            throw MarketDataError(.invalidConfiguration, "the OANDA token is read from $\(tokenVariable), which is not set")
        }
        let auth = [("Authorization", "Bearer \(token)"), ("Accept-Datetime-Format", "RFC3339")]
        stream = OutboundHTTPClient(
            baseURL: try context.url("stream_url", default: "https://stream-fxtrade.oanda.com", schemes: ["http", "https"]), headers: auth)
        rest = OutboundHTTPClient(baseURL: try context.url("rest_url", default: "https://api-fxtrade.oanda.com", schemes: ["http", "https"]), headers: auth)
        heartbeatTimeout = .seconds(try context.int("heartbeat_timeout_s", default: 10, range: 1...300))
    }

    /// Streams into `sink` until cancelled or disconnected (the service reconnects).
    public func run(into sink: FeedSink) async throws {
        let catalog = self.catalog
        var opened = false
        defer { if opened { sink.connected(false) } }
        let refused = try await stream.streamLines(
            "/v3/accounts/\(accountId)/pricing/stream", query: [("instruments", instruments.map { catalog.venueSymbol($0, feed: Self.name) }.joined(separator: ","))],
            idleTimeout: heartbeatTimeout,
            opened: {
                opened = true
                sink.connected(true)
            }
        ) { line in
            switch OandaMessage.parse(line, catalog: catalog) {
            case .tick(let tick): await sink.deliver([tick], clock: WallClock.nowNs)
            case .ignored: break
            case .unknownSymbol(let symbol): sink.report(.unknownSymbol, "oanda sent \(symbol)")
            case .malformed(let why): sink.report(.malformedMessage, "oanda: \(why)")
            }
        }
        if let refused { throw Self.refusal(refused, "the pricing stream") }
        // A stream that ended cleanly is reopened by the service.
    }

    /// Closed candles of `instrument` in `[from, to)` from the venue's REST API, oldest first.
    public func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState] {
        let symbol = catalog.venueSymbol(instrument, feed: Self.name)
        let sessions = catalog[instrument].sessions
        var out: [CandleState] = []
        var start = from
        while start < to {
            let end = min(to, start + 5000 * timeframe.nanoseconds)
            let response = try await rest.get("/v3/instruments/\(symbol)/candles", query: [
                ("granularity", OandaMessage.granularity(timeframe)), ("price", "M"), ("from", OandaMessage.rfc3339(start)), ("to", OandaMessage.rfc3339(end)),
                ("dailyAlignment", "0"), ("alignmentTimezone", sessions.timeZone ?? "UTC"),
            ])
            guard response.status == 200 else { throw Self.refusal(response, "candles for \(symbol) \(timeframe)") }
            for c in try OandaMessage.candles(response.body) where c.complete {
                let (open, close) = timeframe == .d1 ? sessions.period(.d1, containing: c.time) : (c.time, c.time + timeframe.nanoseconds)
                guard open >= from, open < to else { continue }
                out.append(CandleState(
                    instrument: instrument, timeframe: timeframe, openTime: open, periodEnd: close, open: c.open, high: c.high, low: c.low,
                    close: c.close, volume: c.volume, tradeCount: 0))
            }
            start = end
        }
        return out
    }

    /// OANDA's answer to a request it refused, in the venues' common terms (never the token).
    static func refusal(_ response: OutboundHTTPClient.Response, _ what: String) -> MarketDataError {
        struct Body: Decodable { let errorMessage: String }
        let said = (try? JSONDecoder().decode(Body.self, from: Data(response.body)))?.errorMessage ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        return response.refusal(venue: Self.name, what: what, said: said)
    }
}

/// OANDA v20 JSON.
enum OandaMessage: Equatable {
    case tick(MarketTick)
    case ignored
    case unknownSymbol(String)
    case malformed(String)

    struct Candle: Equatable {
        var time: Int64
        var complete: Bool
        var open, high, low, close, volume: Double
    }

    private struct Price: Decodable {
        struct Level: Decodable { let price: String }
        let type: String
        let time: String?
        let instrument: String?
        let bids: [Level]?
        let asks: [Level]?
    }

    static func parse(_ line: ArraySlice<UInt8>, catalog: InstrumentCatalog) -> OandaMessage {
        guard let p = try? JSONDecoder().decode(Price.self, from: Data(line)) else {
            return .malformed("not a pricing message: \(String(decoding: line.prefix(120), as: UTF8.self))")
        }
        guard p.type == "PRICE" else { return p.type == "HEARTBEAT" ? .ignored : .malformed("unexpected message type \"\(p.type.prefix(30))\"") }
        guard let instrument = p.instrument else { return .malformed("a price without an instrument") }
        guard let id = catalog.id(venueSymbol: instrument, feed: OandaFeed.name) else { return .unknownSymbol(instrument) }
        guard let time = p.time.flatMap({ TimestampParser.parse(Substring($0)) }), let bid = p.bids?.first.flatMap({ Double($0.price) }),
            let ask = p.asks?.first.flatMap({ Double($0.price) })
        else { return .malformed("a price for \(instrument) without time, bids or asks") }
        return .tick(MarketTick(instrument: id, tsNs: time, bid: bid, ask: ask))
    }

    /// `{"instrument":…,"granularity":…,"candles":[{"complete":true,"volume":12,"time":"…Z","mid":{"o","h","l","c"}}]}`.
    static func candles(_ body: [UInt8]) throws(MarketDataError) -> [Candle] {
        struct Document: Decodable {
            struct Entry: Decodable {
                struct Prices: Decodable { let o, h, l, c: String }
                let complete: Bool
                let volume: Double
                let time: String
                let mid: Prices?
            }
            let candles: [Entry]
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(body)) else {
            throw MarketDataError(.providerError, "oanda candles are not the candles JSON: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        return try document.candles.map { e throws(MarketDataError) in
            guard let time = TimestampParser.parse(Substring(e.time)), let m = e.mid, let o = Double(m.o), let h = Double(m.h), let l = Double(m.l),
                let c = Double(m.c)
            else { throw MarketDataError(.providerError, "an oanda candle at \"\(e.time.prefix(40))\" is malformed") }
            return Candle(time: time, complete: e.complete, open: o, high: h, low: l, close: c, volume: e.volume)
        }
    }

    /// OANDA's name of a timeframe.
    static func granularity(_ timeframe: Timeframe) -> String {
        switch timeframe {
        case .m1: "M1"
        case .m5: "M5"
        case .m15: "M15"
        case .h1: "H1"
        case .h4: "H4"
        case .d1: "D"
        }
    }

    /// Unix nanoseconds as RFC 3339 with nanoseconds, as OANDA writes times.
    static func rfc3339(_ ns: Int64) -> String {
        let seconds = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds.quotient))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, Int(seconds.remainder))
    }
}
