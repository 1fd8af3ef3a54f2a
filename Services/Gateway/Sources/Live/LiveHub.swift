import Bus
import Contract
import Foundation
import ServiceLifecycle
import Synchronization
import TradingCore
import Wire

/// Fans bus events out to WebSocket connections: one subscription to the channels the API offers;
/// each event is decoded and rendered to JSON once per channel (only when someone listens), then
/// handed to every connection subscribed to that channel. A connection's queue is bounded: a slow
/// client loses its oldest updates, never slows the others.
final class LiveHub: Service, Sendable {
    typealias Outbox = AsyncStream<String>.Continuation

    private let bus: Bus?
    private let listeners = Mutex<[String: [Int: Outbox]]>([:])
    /// Per symbol: the price 24 h ago, to report `change` on each tick.
    private let references = Mutex<[String: Double]>([:])

    static let patterns = [
        BusChannel.everyTick, BusChannel.everyCandle, BusChannel.everyIndicator, BusChannel.everyDecision, BusChannel.everyOrder,
        BusChannel.everyPosition, BusChannel.everyJob,
    ]

    init(bus: Bus?) { self.bus = bus }

    func add(_ connection: Int, channel: String, _ outbox: Outbox) { listeners.withLock { $0[channel, default: [:]][connection] = outbox } }

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
                let targets = self.listeners.withLock { $0[channel].map { Array($0.values) } } ?? []
                guard !targets.isEmpty, let text = self.render(channel, payload) else { continue }
                for outbox in targets { outbox.yield(text) }
            }
        }
    }

    /// The JSON message for an event on `channel` (matched by its pattern without the `*`).
    func render(_ channel: String, _ payload: ArraySlice<UInt8>) -> String? {
        let message: LiveMessage
        if channel.hasPrefix(BusChannel.everyTick.dropLast()) {
            guard let t = try? PB.Tick(decoding: payload) else { return nil }
            let reference = references.withLock { $0[t.symbol] } ?? 0
            let change = reference > 0 ? (t.price / reference - 1) * 100 : 0
            message = LiveMessage(type: .marketUpdate, data: MarketUpdate(symbol: t.symbol, price: t.price, change: change, timestamp: t.tsNs))
        } else if channel.hasPrefix(BusChannel.everyCandle.dropLast()) {
            guard let c = try? PB.Candle(decoding: payload) else { return nil }
            message = LiveMessage(type: .candle, data: CandleUpdate(symbol: c.symbol, timeframe: Timeframe(wire: c.timeframe)?.rawValue ?? "", candle: CandleView(c)))
        } else if channel.hasPrefix(BusChannel.everyIndicator.dropLast()) {
            guard let s = try? PB.IndicatorSnapshot(decoding: payload) else { return nil }
            message = LiveMessage(type: .indicators, data: IndicatorUpdate(
                symbol: s.symbol, timeframe: Timeframe(wire: s.timeframe)?.rawValue ?? "", openTimeNs: s.openTimeNs, close: s.close, values: s.values))
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
        return (try? JSONBody.encoder.encode(message)).map { String(decoding: $0, as: UTF8.self) }
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
        case .marketUpdate: ("market", "symbol, price, change (% against 24 h ago), timestamp (ns)")
        case .candle: ("candles", "symbol, timeframe, candle (open_time_ns, open, high, low, close, volume, closed)")
        case .indicators: ("indicators", "symbol, timeframe, open_time_ns, close, values (output name → value)")
        case .backtest, .optimization: ("backtests", "the job: id, kind, status, progress, metrics or report when done, error")
        case .decision: ("decisions", "the bot's decision: action, confidence, reasoning, opinions, risk outcome, order id")
        case .order: ("orders", "the order as GET /api/orders shows it")
        case .position, .trade: ("positions", "the position, or the round trip it closed, as the portfolio shows them")
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

struct MarketUpdate: Encodable {
    var symbol: String
    var price, change: Double
    var timestamp: Int64
}

struct CandleUpdate: Encodable {
    var symbol, timeframe: String
    var candle: CandleView
}

struct IndicatorUpdate: Encodable {
    var symbol, timeframe: String
    var openTimeNs: Int64
    var close: Double
    var values: [String: Double]
}
