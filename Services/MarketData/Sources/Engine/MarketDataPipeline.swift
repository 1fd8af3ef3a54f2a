import Bus
import Contract
import CoreMetrics
import Foundation
import Logging
import ServiceKit
import Synchronization
import TradingCore
import Wire

/// Carries feed batches through the engine and out: ticks and candles to the bus and to stream
/// subscribers, closed candles and corrections to storage, changed quotes marked for Redis.
///
/// One `Mutex` guards the engine; a batch holds it for the engine work only, and all publishing
/// happens after it is released.
public final class MarketDataPipeline: Sendable {
    struct State: Sendable {
        var engine: MarketDataEngine
        var quoteChanged: [Bool]
        var lastFormingPublishNs: UInt64 = 0
        var feeds: [String: FeedStats] = [:]
    }

    struct FeedStats: Sendable {
        var instruments: [InstrumentID] = []
        var connected = false
        var received: UInt64 = 0
        var rejected: UInt64 = 0
    }

    /// The instruments every batch refers to.
    public let catalog: InstrumentCatalog
    let state: Mutex<State>
    let bus: Bus?
    let writer: CandleWriter?
    let ticks = Broadcaster<MarketTick>(droppedMetric: "marketdata_stream_items_dropped_total")
    let candles = Broadcaster<CandleEvent>(droppedMetric: "marketdata_stream_items_dropped_total")
    let logger: Logger
    let formingIntervalNs: UInt64
    let publishTicks: Bool
    private let timeframes: [Timeframe]
    private let tickChannels: [String]
    private let candleChannels: [String]
    private let issueCounters: [Counter]
    private let loggedIssues = Atomic<Int>(0)

    /// A pipeline over `catalog`; `bus` and `writer` are optional (no publishing / no storage).
    init(catalog: InstrumentCatalog, rules: CandleRules, bus: Bus?, writer: CandleWriter?, formingInterval: Duration, publishTicks: Bool, logger: Logger) {
        self.catalog = catalog
        self.state = Mutex(State(engine: MarketDataEngine(catalog: catalog, rules: rules), quoteChanged: Array(repeating: false, count: catalog.count)))
        self.bus = bus
        self.writer = writer
        self.logger = logger
        self.publishTicks = publishTicks
        formingIntervalNs = UInt64(formingInterval.nanoseconds)
        timeframes = rules.timeframes
        tickChannels = catalog.instruments.map { BusChannel.tick($0.symbol.value) }
        candleChannels = catalog.instruments.flatMap { i in rules.timeframes.map { BusChannel.candle($0.rawValue, i.symbol.value) } }
        issueCounters = TickIssue.allCases.map { Counter(label: "marketdata_ticks_rejected_total", dimensions: [("reason", $0.description)]) }
    }

    // MARK: Feeds

    /// A pipeline publishing to `bus` without storage (benchmarks, tools).
    public convenience init(catalog: InstrumentCatalog, rules: CandleRules = CandleRules(), bus: Bus?, logger: Logger) {
        self.init(catalog: catalog, rules: rules, bus: bus, writer: nil, formingInterval: .seconds(1), publishTicks: true, logger: logger)
    }

    func register(feed: String, instruments: [InstrumentID]) {
        state.withLock { $0.feeds[feed] = FeedStats(instruments: instruments) }
    }

    /// The sink a feed delivers into.
    func sink(for feed: String) -> FeedSink {
        FeedSink(
            deliver: { [self] ticks, clock in deliver(ticks, clock: clock, feed: feed) },
            report: { [self] issue, detail in
                state.withLock { $0.feeds[feed]?.rejected += 1 }
                note(issue, detail: detail, feed: feed)
            },
            connected: { [self] up in state.withLock { $0.feeds[feed]?.connected = up } })
    }

    /// Runs one batch through the engine and publishes what came out.
    public func deliver(_ batch: [MarketTick], clock: Int64, feed: String) {
        var out = EngineOutput()
        out.ticks.reserveCapacity(batch.count)
        let wallNs = DispatchTime.now().uptimeNanoseconds
        let issues: [(TickIssue, MarketTick)] = state.withLock { s in
            var issues: [(TickIssue, MarketTick)] = []
            for tick in batch {
                if let issue = s.engine.ingest(tick, now: clock, into: &out) { issues.append((issue, tick)) }
            }
            // Accepted ticks are exactly those in `out.ticks`.
            for t in out.ticks { s.quoteChanged[t.instrument.index] = true }
            s.engine.advance(to: clock, into: &out)
            if wallNs &- s.lastFormingPublishNs >= formingIntervalNs {
                s.lastFormingPublishNs = wallNs
                s.engine.collectForming(into: &out)
            }
            s.feeds[feed]?.received += UInt64(batch.count)
            s.feeds[feed]?.rejected += UInt64(batch.count - out.ticks.count)
            return issues
        }
        for (issue, tick) in issues {
            note(issue, detail: "\(catalog[tick.instrument].symbol) at \(tick.tsNs) ns, price \(tick.price)", feed: feed)
        }
        publish(out)
    }

    /// Counts an issue and logs the first of each kind.
    private func note(_ issue: TickIssue, detail: String, feed: String) {
        issueCounters[issue.rawValue].increment()
        let bit = 1 << issue.rawValue
        if loggedIssues.bitwiseOr(bit, ordering: .relaxed).oldValue & bit == 0 {
            logger.warning("tick rule applied (logged once per kind; counted in marketdata_ticks_rejected_total)", metadata: [
                "marketdata.issue": "\(issue)", "marketdata.feed": "\(feed)", "marketdata.detail": "\(detail)",
            ])
        }
    }

    private func publish(_ out: EngineOutput) {
        if let bus {
            if publishTicks {
                for t in out.ticks {
                    if let bytes = try? wireTick(t).encodedBytes() { bus.publish(tickChannels[t.instrument.index], payload: bytes) }
                }
            }
            for e in out.candles {
                let channel = candleChannels[e.candle.instrument.index * timeframes.count + timeframes.firstIndex(of: e.candle.timeframe)!]
                if let bytes = try? wireCandle(e).encodedBytes() { bus.publish(channel, payload: bytes) }
            }
        }
        if let writer {
            let stored = out.candles.compactMap { e in
                e.kind == .forming ? nil : StoredCandle(symbol: catalog[e.candle.instrument].symbol.value, candle: e.candle)
            }
            writer.enqueue(stored)
        }
        if ticks.hasSubscribers, !out.ticks.isEmpty { ticks.publish(out.ticks) }
        if candles.hasSubscribers, !out.candles.isEmpty { candles.publish(out.candles) }
    }

    // MARK: Reading state

    func wireTick(_ t: MarketTick) -> PB.Tick {
        PB.Tick(
            symbol: catalog[t.instrument].symbol.value, tsNs: t.tsNs, price: t.price, size: t.size, bid: t.bid, ask: t.ask,
            aggressor: t.aggressor?.wire ?? .unspecified, seq: t.seq)
    }

    func wireCandle(_ e: CandleEvent) -> PB.Candle {
        wireCandle(e.candle, closed: e.kind != .forming, correction: e.kind == .correction)
    }

    func wireCandle(_ c: CandleState, closed: Bool, correction: Bool = false) -> PB.Candle {
        PB.Candle(
            symbol: catalog[c.instrument].symbol.value, timeframe: c.timeframe.wire, openTimeNs: c.openTime, open: c.open,
            high: c.high, low: c.low, close: c.close, volume: c.volume, tradeCount: c.tradeCount, closed: closed, correction: correction)
    }

    /// The latest quote of `id`, or nil before its first update.
    func quote(_ id: InstrumentID) -> Quote? {
        let q = state.withLock { $0.engine.quotes[id.index] }
        return q.tsNs == 0 ? nil : q.snapshot(symbol: catalog[id].symbol.value)
    }

    /// Quotes changed since the last call (for the Redis hashes).
    func takeChangedQuotes() -> [Quote] {
        let changed: [(Int, QuoteState)] = state.withLock { s in
            var out: [(Int, QuoteState)] = []
            for i in s.quoteChanged.indices where s.quoteChanged[i] {
                s.quoteChanged[i] = false
                out.append((i, s.engine.quotes[i]))
            }
            return out
        }
        return changed.map { $0.1.snapshot(symbol: catalog.instruments[$0.0].symbol.value) }
    }

    func feedStats() -> [(String, FeedStats)] { state.withLock { $0.feeds.sorted { $0.key < $1.key } } }
}
