import Bus
import Contract
import Foundation
import NIOCore
import ServiceLifecycle
import Synchronization
import TradingCore
import Wire

/// Fans bus events out to WebSocket connections: one subscription to the channels the API offers;
/// each event is decoded and rendered to JSON once per channel (only when someone listens), then
/// handed to every connection subscribed to that channel. Each connection has its own queue
/// (`LiveOutbox`): a slow client gets the latest price per channel and its account events in
/// order, or is closed when it falls too far behind; it never slows the others.
///
/// A market, candle or indicator update names the symbol as the client subscribed it (`BTCUSDT`,
/// the seed's spelling) with market-data's canonical symbol beside it (`BTC/USDT`): the message is
/// rendered once per spelling in use, which is one in practice.
final class LiveHub: Service, Sendable {
    /// One connection's subscription to a channel.
    struct Listener: Sendable {
        var outbox: LiveOutbox
        /// How the client spelled the symbol; nil for channels without one.
        var symbolAs: String?
    }

    private let bus: Bus?
    private let listeners = Mutex<[String: [Int: Listener]]>([:])
    /// Per symbol: the price 24 h ago, to report `change` on each tick.
    private let references = Mutex<[String: Double]>([:])

    static let patterns = [
        BusChannel.everyTick, BusChannel.everyCandle, BusChannel.everyIndicator, BusChannel.everyDecision, BusChannel.everyOrder,
        BusChannel.everyPosition, BusChannel.everyJob,
    ]

    init(bus: Bus?) { self.bus = bus }

    func add(_ connection: Int, channel: String, _ outbox: LiveOutbox, symbolAs: String? = nil) {
        listeners.withLock { $0[channel, default: [:]][connection] = Listener(outbox: outbox, symbolAs: symbolAs) }
    }

    func remove(_ connection: Int, channel: String) {
        listeners.withLock { l in
            l[channel]?.removeValue(forKey: connection)
            if l[channel]?.isEmpty == true { l[channel] = nil }
        }
    }

    /// Sets the price `change` on ticks is measured against.
    func setReference(_ symbol: String, price24hAgo: Double) { references.withLock { $0[symbol] = price24hAgo } }

    func run() async throws {
        guard let bus else { return }
        let subscription = try bus.subscribe(patterns: Self.patterns)
        await cancelWhenGracefulShutdown {
            for await delivery in subscription {
                guard case .message(let channel, let payload) = delivery else { continue }
                self.deliver(channel, payload)
            }
        }
    }

    /// Hands an event on `channel` to every connection subscribed to it, rendered once per
    /// spelling of the symbol in use.
    func deliver(_ channel: String, _ payload: ArraySlice<UInt8>) {
        let targets = listeners.withLock { $0[channel].map { Array($0.values) } } ?? []
        guard let first = targets.first, let text = render(channel, payload, symbolAs: first.symbolAs) else { return }
        let conflated = Self.isConflated(channel)
        func send(_ text: ByteBuffer, to outbox: LiveOutbox) {
            if conflated { outbox.sendLatest(text, channel: channel) } else { outbox.send(text) }
        }
        // Other spellings (rare) are rendered once each, on demand.
        var others: [String?: ByteBuffer] = [:]
        for target in targets {
            if target.symbolAs == first.symbolAs {
                send(text, to: target.outbox)
            } else if let other = others[target.symbolAs] ?? render(channel, payload, symbolAs: target.symbolAs) {
                others[target.symbolAs] = other
                send(other, to: target.outbox)
            }
        }
    }

    /// Whether only the latest event on `channel` matters to a client that is behind: prices,
    /// candles (each carries the candle so far) and indicator values.
    static func isConflated(_ channel: String) -> Bool {
        channel.hasPrefix(BusChannel.everyTick.dropLast()) || channel.hasPrefix(BusChannel.everyCandle.dropLast())
            || channel.hasPrefix(BusChannel.everyIndicator.dropLast())
    }

    /// The JSON message for an event on `channel` (matched by its pattern without the `*`), naming
    /// the symbol as `symbolAs` (the canonical symbol when nil).
    func render(_ channel: String, _ payload: ArraySlice<UInt8>, symbolAs: String? = nil) -> ByteBuffer? {
        let message: LiveMessage
        if channel.hasPrefix(BusChannel.everyTick.dropLast()) {
            guard let t = try? PB.Tick(decoding: payload) else { return nil }
            let reference = references.withLock { $0[t.symbol] } ?? 0
            let change = reference > 0 ? (t.price / reference - 1) * 100 : 0
            message = LiveMessage(type: .marketUpdate, data: MarketUpdate(
                symbol: symbolAs ?? t.symbol, canonicalSymbol: t.symbol, price: t.price, change: change,
                timestamp: UnixMillis(nanoseconds: t.tsNs), timestampNs: UnixNanosText(nanoseconds: t.tsNs)))
        } else if channel.hasPrefix(BusChannel.everyCandle.dropLast()) {
            guard let c = try? PB.Candle(decoding: payload) else { return nil }
            message = LiveMessage(type: .candle, data: CandleUpdate(
                symbol: symbolAs ?? c.symbol, canonicalSymbol: c.symbol, timeframe: Timeframe(wire: c.timeframe)?.rawValue ?? "", candle: CandleView(c)))
        } else if channel.hasPrefix(BusChannel.everyIndicator.dropLast()) {
            guard let s = try? PB.IndicatorSnapshot(decoding: payload) else { return nil }
            message = LiveMessage(type: .indicators, data: IndicatorUpdate(
                symbol: symbolAs ?? s.symbol, canonicalSymbol: s.symbol, timeframe: Timeframe(wire: s.timeframe)?.rawValue ?? "",
                openTime: UnixMillis(nanoseconds: s.openTimeNs), close: s.close, values: s.values))
        } else if channel.hasPrefix(BusChannel.everyJob.dropLast()) {
            guard let j = try? PB.Job(decoding: payload) else { return nil }
            message = LiveMessage(type: j.kind == .optimization ? .optimization : .backtest, data: JobView(j))
        } else if channel.hasPrefix(BusChannel.everyDecision.dropLast()) {
            guard let d = try? PB.Decision(decoding: payload) else { return nil }
            message = LiveMessage(type: .decision, data: DecisionView(d))
        } else {
            guard let e = try? PB.OrderEvent(decoding: payload) else { return nil }
            switch e.event {
            case .order(let o): message = LiveMessage(type: .order, data: OrderView(o))
            case .position(let p): message = LiveMessage(type: .position, data: PositionView(p))
            case .trade(let t): message = LiveMessage(type: .trade, data: TradeView(t))
            default: return nil
            }
        }
        return (try? JSONBody.encoder.encode(message)).map { ByteBuffer(bytes: $0) }
    }
}

/// What a live message is: the `type` of each update the hub renders (the AsyncAPI document lists
/// exactly these).
enum LiveMessageType: String, CaseIterable, Sendable {
    case marketUpdate = "market_update"
    case candle, indicators, backtest, optimization, decision, order, position, trade

    /// The channel a client subscribes to for it, and what its `data` holds.
    var summary: (channel: String, data: String) {
        switch self {
        case .marketUpdate:
            ("market", "symbol (as subscribed), canonical_symbol, price, change (% against 24 h ago), timestamp (Unix ms), timestamp_ns (the same to the ns, as a string)")
        case .candle: ("candles", "symbol (as subscribed), canonical_symbol, timeframe, candle (open_time in Unix ms, open, high, low, close, volume, closed)")
        case .indicators: ("indicators", "symbol (as subscribed), canonical_symbol, timeframe, open_time (Unix ms), close, values (output name → value)")
        case .backtest, .optimization: ("backtests", "the job: id, kind, status, progress, metrics or report when done, error")
        case .decision: ("decisions", "the bot's decision: action, confidence, reasoning, opinions, risk outcome, order id")
        case .order: ("orders", "the order as GET /api/orders shows it")
        case .position, .trade: ("positions", "the position, or the round trip it closed, as the portfolio shows them")
        }
    }
}

extension LiveMessageType {
    /// The JSON Schema of its `data`, from the view it renders (units included).
    var dataSchema: [String: Any] {
        switch self {
        case .marketUpdate: SchemaEncoder.schema(ofType: MarketUpdate.self) ?? [:]
        case .candle: SchemaEncoder.schema(ofType: CandleUpdate.self) ?? [:]
        case .indicators: SchemaEncoder.schema(ofType: IndicatorUpdate.self) ?? [:]
        case .backtest, .optimization: SchemaEncoder.schema(ofType: JobView.self) ?? [:]
        case .decision: SchemaEncoder.schema(ofType: DecisionView.self) ?? [:]
        case .order: SchemaEncoder.schema(ofType: OrderView.self) ?? [:]
        case .position: SchemaEncoder.schema(ofType: PositionView.self) ?? [:]
        case .trade: SchemaEncoder.schema(ofType: TradeView.self) ?? [:]
        }
    }
}

/// `{"type": …, "data": …}`, every live message's shape.
struct LiveMessage: Encodable {
    var type: LiveMessageType
    var data: any Encodable

    private enum CodingKeys: String, CodingKey { case type, data }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.rawValue, forKey: .type)
        try container.encode(data, forKey: .data)
    }
}

/// A tick: the seed's `{"symbol":"BTCUSDT","price":45000.0,"change":2.5,"timestamp":1700000000000}`,
/// with the canonical symbol and the nanoseconds beside it.
struct MarketUpdate: Encodable {
    /// As the client subscribed it.
    var symbol: String
    /// market-data's name for it (`BTC/USDT`).
    var canonicalSymbol: String
    /// The trade price, and its change in percent against the price 24 h ago.
    var price, change: Double
    var timestamp: UnixMillis
    var timestampNs: UnixNanosText
}

struct CandleUpdate: Encodable {
    var symbol, canonicalSymbol, timeframe: String
    var candle: CandleView
}

struct IndicatorUpdate: Encodable {
    var symbol, canonicalSymbol, timeframe: String
    var openTime: UnixMillis
    var close: Double
    var values: [String: Double]
}
