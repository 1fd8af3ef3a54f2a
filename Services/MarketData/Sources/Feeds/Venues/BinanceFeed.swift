import Foundation
import HummingbirdWSClient
import Logging
import NIOHTTP1
import NIOWebSocket
import RPC
import ServiceKit
import TradingCore

/// `binance`: Binance spot market data in its own formats.
///
/// Live: one combined stream, `<stream_url>/stream?streams=<sym>@trade/<sym>@bookTicker/…`, whose
/// messages are `{"stream":"btcusdt@trade","data":{…}}`. Trades become ticks at the trade time `T`
/// with the trade id as sequence (a repeat is dropped) and the aggressor from `m` (buyer is maker →
/// the seller hit the bid); book tickers (`u`, `b`/`B`, `a`/`A`, no time of their own) become quote
/// ticks at the time of arrival. Candles are built here from trades, so `@kline_<interval>`
/// streams are not subscribed; a kline message that does arrive is recognised and ignored. Binance
/// pings every 20 s and the WebSocket client answers; Binance closes a connection after 24 hours,
/// so the feed closes it itself after `reconnect_after_s` (23 h 50 min) and the service reconnects
/// at once; any other disconnect reconnects with backoff. A connection that brings no message for
/// `idle_timeout_s` (60) is dropped and taken up again: a silently dead one would otherwise stall
/// the feed until the 24-hour rotation (and the WebSocket client loses a connection whose first
/// frames and close arrive before it has finished the upgrade, without ending it).
///
/// History: `GET <rest_url>/api/v3/klines?symbol=&interval=&startTime=&endTime=&limit=1000`, paged
/// forward; the used weight (`X-MBX-USED-WEIGHT-1M`) is kept under `max_weight_per_minute` by
/// waiting for the next minute; `429` waits `Retry-After` and tries again (at most 3 times); `418`
/// (an IP ban) and other refusals end the backfill with the venue's `{"code","msg"}`.
public struct BinanceFeed: MarketFeed {
    /// The registered name.
    public static let name = "binance"
    /// The keys it reads under `feeds.<name>.` (besides `symbols`).
    public static let settings = ["stream_url", "rest_url", "reconnect_after_s", "idle_timeout_s", "max_weight_per_minute"]
    public var name: String { Self.name }
    /// The instruments it streams or serves history for.
    public let instruments: [InstrumentID]
    let catalog: InstrumentCatalog
    let streamURL: String
    let rest: OutboundHTTPClient
    let reconnectAfter: Duration
    let idleTimeout: Duration
    let weightBudget: Int
    let logger: Logger

    /// Builds the feed from its settings; a bad or missing one throws `invalid_configuration`.
    public init(context: FeedContext) throws(MarketDataError) {
        catalog = context.catalog
        instruments = try context.venueInstruments(Self.name)
        streamURL = try context.url("stream_url", default: "wss://stream.binance.com:9443", schemes: ["ws", "wss"]).absoluteString
        rest = OutboundHTTPClient(baseURL: try context.url("rest_url", default: "https://api.binance.com", schemes: ["http", "https"]))
        reconnectAfter = .seconds(try context.int("reconnect_after_s", default: 85_800, range: 1...86_400))
        idleTimeout = .seconds(try context.int("idle_timeout_s", default: 60, range: 1...3_600))
        weightBudget = try context.int("max_weight_per_minute", default: 1200, range: 10...6000)
        logger = context.logger
    }

    /// Streams into `sink` until cancelled or disconnected (the service reconnects).
    public func run(into sink: FeedSink) async throws {
        let streams = instruments.flatMap { id in ["trade", "bookTicker"].map { "\(self.catalog.venueSymbol(id, feed: Self.name).lowercased())@\($0)" } }
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = 1 << 20
        let (reconnectAfter, idleTimeout, streamURL, catalog, logger) = (self.reconnectAfter, self.idleTimeout, self.streamURL, self.catalog, self.logger)
        let url = "\(streamURL)/stream?streams=\(streams.joined(separator: "/"))"
        let activity = ConnectionActivity()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [configuration] in
                try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    activity.touch()
                    sink.connected(true)
                    defer { sink.connected(false) }
                    let rotation = Task {
                        try await Task.sleep(for: reconnectAfter)
                        try await outbound.close(.normalClosure, reason: "reconnecting before the 24-hour limit")
                    }
                    defer { rotation.cancel() }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        activity.touch()
                        guard case .text(let text) = message else { continue }
                        switch BinanceMessage.parse(Array(text.utf8), catalog: catalog, receivedNs: WallClock.nowNs) {
                        case .tick(let tick): await sink.deliver([tick], clock: WallClock.nowNs)
                        case .ignored: break
                        case .unknownSymbol(let symbol): sink.report(.unknownSymbol, "binance sent \(symbol)")
                        case .malformed(let why): sink.report(.malformedMessage, "binance: \(why)")
                        }
                    }
                }
            }
            // A venue that does not answer the close ends the connection this way. The close gets
            // 5 to 10 s: a shorter grace read a loaded machine's slow handshake as a venue that
            // never answers (seen with reconnect_after_s = 1 in a full test run).
            group.addTask {
                try await Task.sleep(for: reconnectAfter + max(.seconds(5), min(.seconds(10), reconnectAfter)))
                throw MarketDataError(.providerError, "binance did not finish closing the connection; reconnecting")
            }
            // And one that has gone quiet (ending the run cancels the connection).
            group.addTask {
                while case let quiet = ContinuousClock.now - activity.last, quiet < idleTimeout {
                    try await Task.sleep(for: idleTimeout - quiet)
                }
                throw MarketDataError(.providerError, "binance sent nothing for \(idleTimeout); reconnecting")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Closed candles of `instrument` in `[from, to)` from the venue's REST API, oldest first.
    public func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState] {
        let symbol = catalog.venueSymbol(instrument, feed: Self.name)
        var out: [CandleState] = []
        var start = from
        var rateLimited = 0
        while start < to {
            let response = try await rest.get("/api/v3/klines", query: [
                ("symbol", symbol), ("interval", timeframe.rawValue), ("startTime", "\(start / 1_000_000)"), ("endTime", "\((to - 1) / 1_000_000)"),
                ("limit", "1000"),
            ])
            if response.status == 429, rateLimited < 3 {
                rateLimited += 1
                try await Task.sleep(for: response.retryAfter ?? .seconds(1))
                continue
            }
            guard response.status == 200 else {
                throw response.refusal(venue: Self.name, what: "klines for \(symbol) \(timeframe)", said: Self.venueError(response))
            }
            rateLimited = 0
            let rows = try BinanceMessage.klines(response.body, instrument: instrument, timeframe: timeframe)
            out += rows.filter { $0.openTime >= from && $0.openTime < to }
            guard rows.count == 1000, let last = rows.last, last.openTime + timeframe.nanoseconds > start else { break }
            start = last.openTime + timeframe.nanoseconds
            if let used = response.headers.first(name: "X-MBX-USED-WEIGHT-1M").flatMap(Int.init), used >= weightBudget {
                // The window is the clock minute; wait for the next one.
                let intoMinute = WallClock.nowNs % 60_000_000_000
                try await Task.sleep(for: .nanoseconds(60_000_000_000 - intoMinute + 100_000_000))
            }
        }
        return out
    }

    /// Binance's `{"code":-1121,"msg":"Invalid symbol."}`, or the body's start.
    static func venueError(_ response: OutboundHTTPClient.Response) -> String {
        struct Body: Decodable { let code: Int; let msg: String }
        if let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)) { return "\(body.msg) (code \(body.code))" }
        return String(decoding: response.body.prefix(200), as: UTF8.self)
    }
}

/// One message of Binance's combined stream, or one klines answer, in Tradewind's terms.
enum BinanceMessage: Equatable {
    case tick(MarketTick)
    case ignored
    case unknownSymbol(String)
    case malformed(String)

    private struct Envelope: Decodable {
        let stream: String
        let data: Payload
    }

    /// The fields of trade (`e: trade`), book ticker (no `e`) and kline events; each has a subset.
    private struct Payload: Decodable {
        let event: String?
        let symbol: String
        let tradeId: Int64?
        let price: String?
        let quantity: String?
        let tradeTimeMs: Int64?
        let buyerIsMaker: Bool?
        let updateId: Int64?
        let bidPrice: String?
        let bidQuantity: String?
        let askPrice: String?
        let askQuantity: String?

        enum CodingKeys: String, CodingKey {
            case event = "e", symbol = "s", tradeId = "t", price = "p", quantity = "q", tradeTimeMs = "T", buyerIsMaker = "m"
            case updateId = "u", bidPrice = "b", bidQuantity = "B", askPrice = "a", askQuantity = "A"
        }
    }

    static func parse(_ bytes: [UInt8], catalog: InstrumentCatalog, receivedNs: Int64) -> BinanceMessage {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(bytes))
        } catch {
            return .malformed("not a combined-stream message: \(String(decoding: bytes.prefix(120), as: UTF8.self))")
        }
        let p = envelope.data
        if p.event == "kline" { return .ignored }
        guard let id = catalog.id(venueSymbol: p.symbol, feed: BinanceFeed.name) else { return .unknownSymbol(p.symbol) }
        switch p.event {
        case "trade":
            guard let price = p.price.flatMap(Double.init), let size = p.quantity.flatMap(Double.init), let time = p.tradeTimeMs, let trade = p.tradeId,
                let maker = p.buyerIsMaker
            else { return .malformed("trade without p, q, T, t or m on \(envelope.stream)") }
            return .tick(MarketTick(
                instrument: id, tsNs: time * 1_000_000, price: price, size: size, aggressor: maker ? .sell : .buy, seq: UInt64(max(0, trade)) + 1))
        case nil:
            guard p.updateId != nil, let bid = p.bidPrice.flatMap(Double.init), let ask = p.askPrice.flatMap(Double.init),
                p.bidQuantity.flatMap(Double.init) != nil, p.askQuantity.flatMap(Double.init) != nil
            else { return .malformed("book ticker without u, b, B, a or A on \(envelope.stream)") }
            return .tick(MarketTick(instrument: id, tsNs: receivedNs, bid: bid, ask: ask))
        case let other?:
            return .malformed("unexpected event \"\(other.prefix(30))\" on \(envelope.stream)")
        }
    }

    /// A klines answer: `[[openTime, "open", "high", "low", "close", "volume", closeTime, "quoteVolume",
    /// trades, "takerBuyBase", "takerBuyQuote", "ignore"], …]`.
    static func klines(_ body: [UInt8], instrument: InstrumentID, timeframe: Timeframe) throws(MarketDataError) -> [CandleState] {
        guard let rows = try? JSONSerialization.jsonObject(with: Data(body)) as? [[Any]] else {
            throw MarketDataError(.providerError, "binance klines are not an array of arrays: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        var out: [CandleState] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            guard row.count >= 9, let open = (row[0] as? NSNumber)?.int64Value,
                let o = (row[1] as? String).flatMap(Double.init), let h = (row[2] as? String).flatMap(Double.init),
                let l = (row[3] as? String).flatMap(Double.init), let c = (row[4] as? String).flatMap(Double.init),
                let v = (row[5] as? String).flatMap(Double.init), let trades = (row[8] as? NSNumber)?.uint32Value
            else {
                throw MarketDataError(.providerError, "binance kline row is malformed: \(row.prefix(9))")
            }
            let openNs = open * 1_000_000
            out.append(CandleState(
                instrument: instrument, timeframe: timeframe, openTime: openNs, periodEnd: openNs + timeframe.nanoseconds, open: o, high: h, low: l,
                close: c, volume: v, tradeCount: trades))
        }
        return out
    }
}
