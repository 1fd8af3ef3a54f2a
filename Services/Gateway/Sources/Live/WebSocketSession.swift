import Bus
import Contract
import Foundation
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import RPC
import Synchronization
import TradingCore
import Wire

/// One WebSocket client on `/ws`: it subscribes and unsubscribes with small JSON messages and
/// receives the hub's updates. A bad message is answered with an error message; the connection stays.
///
///     {"type":"subscribe","symbol":"BTCUSDT"}                              → market_update
///     {"type":"subscribe","channel":"candles","symbol":"BTCUSDT","timeframe":"1m"}
///     {"type":"subscribe","channel":"indicators","symbol":"BTCUSDT","timeframe":"1m"}
///     {"type":"subscribe","channel":"decisions","bot_id":"<id>"}
///     {"type":"subscribe","channel":"orders"} / "positions"                 (your account)
///     {"type":"subscribe","channel":"backtests"}                           (your backtest and optimisation jobs)
///     {"type":"unsubscribe", …the same…}     {"type":"ping"} → {"type":"pong"}
struct WebSocketSession {
    let id: Int
    let principal: Principal
    let hub: LiveHub
    let peers: GatewayPeers
    /// Channels this connection may subscribe to at once (`ws.max_subscriptions`).
    let maxSubscriptions: Int
    let logger: Logger

    private static let counter = Atomic<Int>(0)
    static func nextId() -> Int { counter.add(1, ordering: .relaxed).newValue }

    struct Command: Decodable {
        var type: String
        var channel: String?
        var symbol: String?
        var timeframe: String?
        var botId: String?
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, writer: LiveWriter) async throws {
        let outbox = LiveOutbox()
        var subscribed = Set<String>()
        defer { for channel in subscribed { hub.remove(id, channel: channel) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Whatever ends the session (the client's close, an error) ends the writer after what is queued.
            defer { outbox.finish() }
            group.addTask {
                while let batch = await outbox.nextBatch() {
                    var texts: [ByteBuffer] = []
                    texts.reserveCapacity(batch.count)
                    var overflowed = false
                    for item in batch {
                        if let text = outbox.take(item) { texts.append(text) }
                        if case .overflow = item {
                            overflowed = true
                            break
                        }
                    }
                    try await writer.write(texts)
                    if overflowed {
                        try await outbound.close(.policyViolation, reason: "ws.too_slow: \(outbox.backlogLimit) messages behind; reconnect and reread over REST")
                        return
                    }
                }
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            for try await message in inbound.messages(maxSize: 64 * 1024) {
                guard case .text(let text) = message else {
                    outbox.send(Self.error("ws.binary", "send JSON text messages"))
                    continue
                }
                do {
                    guard let command = try? decoder.decode(Command.self, from: Data(text.utf8)) else {
                        throw APIError(.badRequest, "ws.invalid_message", "send {\"type\":\"subscribe\",\"symbol\":\"BTCUSDT\"} or see the AsyncAPI document at /api/v1/asyncapi.json")
                    }
                    switch command.type {
                    case "ping": outbox.send(#"{"type":"pong"}"#)
                    case "subscribe", "unsubscribe":
                        let (channel, label) = try await resolve(command)
                        // The acknowledgement comes before the first update, and after the last.
                        if command.type == "subscribe" {
                            guard subscribed.contains(channel) || subscribed.count < maxSubscriptions else {
                                throw APIError(
                                    .badRequest, "ws.too_many_subscriptions",
                                    "this connection has \(subscribed.count) subscriptions, the most it may have (ws.max_subscriptions); unsubscribe from one first")
                            }
                            outbox.send(#"{"type":"subscribed","channel":"\#(label)"}"#)
                            subscribed.insert(channel)
                            hub.add(id, channel: channel, outbox, symbolAs: Self.symbolChannels.contains(command.channel ?? "market") ? command.symbol : nil)
                        } else {
                            subscribed.remove(channel)
                            hub.remove(id, channel: channel)
                            outbox.send(#"{"type":"unsubscribed","channel":"\#(label)"}"#)
                        }
                    default:
                        throw APIError(.badRequest, "ws.unknown_type", "type \"\(command.type.prefix(20))\" is not subscribe, unsubscribe or ping")
                    }
                } catch {
                    guard let api = APIError.from(error) else {
                        logger.error("websocket command failed", metadata: ["error": "\(error)"])
                        outbox.send(Self.error("gateway.internal", "internal error"))
                        continue
                    }
                    outbox.send(Self.error(api.code, api.message))
                }
            }
            outbox.finish()
            group.cancelAll()
        }
    }

    /// The bus channel a command names and how to show it.
    private func resolve(_ c: Command) async throws -> (String, String) {
        func symbol() async throws -> String {
            guard let text = c.symbol, !text.isEmpty else { throw APIError(.badRequest, "ws.missing_field", "symbol is missing") }
            let marketData = try peers.marketDataClient()
            let instrument = try await marketData.getInstrument(PB.GetInstrumentRequest(symbol: text))
            if let quote = try? await marketData.getQuote(PB.GetQuoteRequest(symbol: instrument.symbol)), quote.last - quote.change24h > 0 {
                hub.setReference(instrument.symbol, price24hAgo: quote.last - quote.change24h)
            }
            return instrument.symbol
        }
        func timeframe() throws -> String {
            guard let tf = try? Timeframe(parsing: c.timeframe ?? "1m") else {
                throw APIError(.badRequest, "ws.invalid_field", "timeframe \"\((c.timeframe ?? "").prefix(10))\" is not one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return tf.rawValue
        }
        switch c.channel ?? "market" {
        case "market":
            let s = try await symbol()
            return (BusChannel.tick(s), "market:\(s)")
        case "candles":
            let s = try await symbol(), tf = try timeframe()
            return (BusChannel.candle(tf, s), "candles:\(tf):\(s)")
        case "indicators":
            let s = try await symbol(), tf = try timeframe()
            return (BusChannel.indicators(tf, s), "indicators:\(tf):\(s)")
        case "decisions":
            guard let bot = c.botId, !bot.isEmpty else { throw APIError(.badRequest, "ws.missing_field", "bot_id is missing") }
            let found = try await peers.orchestratorClient().getBot(PB.GetBotRequest(id: bot))
            guard found.ownerId == principal.userId || principal.role == .admin else {
                throw APIError(.notFound, "orchestrator.unknown_bot", "no bot \(bot.prefix(40))")
            }
            return (BusChannel.decision(bot: found.id), "decisions:\(found.id)")
        case "orders": return (BusChannel.order(account: principal.accountId), "orders")
        case "positions": return (BusChannel.position(account: principal.accountId), "positions")
        case "backtests": return (BusChannel.job(owner: principal.userId), "backtests")
        default:
            throw APIError(.badRequest, "ws.unknown_channel", "channel \"\((c.channel ?? "").prefix(20))\" is not market, candles, indicators, decisions, orders, positions or backtests")
        }
    }

    /// The channels whose updates name a symbol, as the client spelled it.
    static let symbolChannels: Set<String> = ["market", "candles", "indicators"]

    static func error(_ code: String, _ message: String) -> String {
        struct Body: Encodable {
            struct Detail: Encodable { var code, message: String }
            var type = "error"
            var error: Detail
        }
        return (try? JSONBody.encoder.encode(Body(error: .init(code: code, message: message)))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
