import TradingCore

/// How candles are built.
public struct CandleRules: Sendable, Hashable {
    /// Timeframes built from ticks.
    public var timeframes: [Timeframe] = Timeframe.allCases
    /// How long after its period ends a closed candle still accepts late ticks (as corrections).
    public var graceNs: Int64 = 5_000_000_000
    /// How far ahead of the feed's clock a tick's timestamp may be.
    public var maxFutureSkewNs: Int64 = 5_000_000_000

    /// The defaults: every timeframe, 5 s grace, 5 s skew.
    public init() {}
}

/// What one `ingest`/`advance` produced: the accepted ticks and the candle events, in order.
public struct EngineOutput: Sendable {
    /// Accepted ticks, as they go to the bus (a bad quote part already cleared).
    public var ticks: [MarketTick] = []
    /// Candle events in the order they happened.
    public var candles: [CandleEvent] = []

    /// An empty output, to be reused across calls.
    public init() {}

    /// True when nothing was produced.
    public var isEmpty: Bool { ticks.isEmpty && candles.isEmpty }

    /// Empties both lists, keeping their storage for the next batch.
    public mutating func removeAll() {
        ticks.removeAll(keepingCapacity: true)
        candles.removeAll(keepingCapacity: true)
    }
}

/// Normalization and candle building for every instrument of a catalog: validates each tick,
/// keeps the latest quote, and folds the tick into one forming candle per timeframe.
///
/// A candle closes when its period ends (`advance(to:)` with the feed's clock) or when a tick of a
/// later period arrives. A late tick for the most recently closed candle, within `graceNs` of that
/// candle's end, changes it and emits a `correction`; anything older is dropped as `late`. Periods
/// without ticks produce no candle. Pure value type: one owner, no locks, no I/O.
public struct MarketDataEngine: Sendable {
    /// The instruments it builds candles for, and how.
    public let catalog: InstrumentCatalog
    public let rules: CandleRules
    private let timeframes: [Timeframe]
    private var slots: [Slot]
    private var instruments: [InstrumentState]
    /// Latest quote per instrument, by `InstrumentID.index`.
    public private(set) var quotes: [QuoteState]
    /// Issues found so far, and ticks accepted.
    public private(set) var issues = TickIssueCounts()
    public private(set) var accepted: UInt64 = 0
    /// The latest time seen, from ticks or `advance`.
    public private(set) var clock: Int64 = .min
    /// The earliest end among forming candles: `advance` has nothing to do before it.
    private var nextPeriodEnd: Int64 = .max

    struct Slot: Sendable {
        var forming: CandleState?
        var lastClosed: CandleState?
        var formingChanged = false
    }

    struct InstrumentState: Sendable {
        var lastTs: Int64 = .min
        var lastSeq: UInt64 = 0
        var lastTick: MarketTick?
        let pricesFromQuotes: Bool
        /// Sessions with a time zone (nil: UTC days); the current local day's bounds are cached.
        let sessions: TradingSessions?
        var dayStart: Int64 = .max
        var dayEnd: Int64 = .min
    }

    /// An engine with no history: the first tick of each instrument opens its candles.
    public init(catalog: InstrumentCatalog, rules: CandleRules = CandleRules()) {
        self.catalog = catalog
        self.rules = rules
        self.timeframes = rules.timeframes
        slots = Array(repeating: Slot(), count: catalog.count * rules.timeframes.count)
        instruments = catalog.instruments.map { i in
            InstrumentState(
                pricesFromQuotes: i.pricesFromQuotes,
                sessions: i.sessions.timeZone == nil ? nil : i.sessions)
        }
        quotes = Array(repeating: QuoteState(), count: catalog.count)
    }

    // MARK: Ticks

    /// Validates `tick` against the rules of `TickIssue`, applies it, and appends what it produced
    /// to `out`. Returns the issue found (nil for a clean tick); the tick was accepted exactly when
    /// it was appended to `out.ticks`.
    @discardableResult
    public mutating func ingest(_ tick: MarketTick, now: Int64, into out: inout EngineOutput) -> TickIssue? {
        var tick = tick
        var issue: TickIssue?
        let i = tick.instrument.index

        // Values first: a bad trade is dropped; a bad quote loses only its quote part.
        if tick.price != 0 && !(tick.price.isFinite && tick.price > 0) { return reject(.invalidPrice) }
        if !(tick.size.isFinite && tick.size >= 0) { return reject(.invalidSize) }
        if tick.hasQuote && !Self.quoteIsValid(bid: tick.bid, ask: tick.ask) {
            issues.add(.invalidQuote)
            issue = .invalidQuote
            tick.bid = 0
            tick.ask = 0
        }
        // A quote-only update whose quote was bad has nothing left (its issue is already counted).
        if !tick.isTrade && !tick.hasQuote { return issue ?? reject(.invalidPrice) }
        if tick.tsNs > now &+ rules.maxFutureSkewNs { return reject(.clockSkew) }

        // Then order: repeats are dropped, older ticks are placed in their own candle.
        var state = instruments[i]
        if tick.seq != 0 {
            if tick.seq <= state.lastSeq { return reject(.duplicate) }
            state.lastSeq = tick.seq
        } else if let last = state.lastTick, last == tick {
            return reject(.duplicate)
        }
        state.lastTick = tick
        if tick.tsNs < state.lastTs {
            issues.add(.outOfOrder)
            issue = issue ?? .outOfOrder
        } else {
            state.lastTs = tick.tsNs
        }
        if tick.tsNs > clock { clock = tick.tsNs }

        // The price candles are built from: the trade, or the mid for quote-priced instruments.
        var price = tick.price
        var size = tick.size
        if !tick.isTrade {
            if state.pricesFromQuotes, tick.bid > 0, tick.ask > 0 {
                price = (tick.bid + tick.ask) / 2
                size = 0
            } else {
                price = 0
            }
        }
        if price > 0 {
            if let late = placeInCandles(&state, i, tick.tsNs, price, size, &out) {
                instruments[i] = state
                return reject(late)
            }
        }
        instruments[i] = state

        if tick.isTrade { quotes[i].trade(tsNs: tick.tsNs, price: tick.price, size: tick.size) }
        if tick.hasQuote { quotes[i].quote(tsNs: tick.tsNs, bid: tick.bid, ask: tick.ask) }
        if !tick.isTrade && price > 0 { quotes[i].trade(tsNs: tick.tsNs, price: price, size: 0) }
        accepted &+= 1
        out.ticks.append(tick)
        return issue
    }

    private mutating func reject(_ issue: TickIssue) -> TickIssue {
        issues.add(issue)
        return issue
    }

    static func quoteIsValid(bid: Double, ask: Double) -> Bool {
        bid.isFinite && ask.isFinite && bid >= 0 && ask >= 0 && (bid == 0 || ask == 0 || bid <= ask)
    }

    /// Where a tick at `ts` goes in one timeframe.
    private enum Placement { case forming, newPeriod, correction, late }

    private func placement(_ slot: Slot, _ ts: Int64) -> Placement {
        if let forming = slot.forming {
            if ts >= forming.periodEnd { return .newPeriod }
            if ts >= forming.openTime { return .forming }
        } else if slot.lastClosed.map({ ts >= $0.periodEnd }) ?? true {
            return .newPeriod
        }
        // Older than anything forming: only the last closed candle, within the grace, can take it.
        guard let closed = slot.lastClosed, ts >= closed.openTime, ts < closed.periodEnd,
              clock - closed.periodEnd <= rules.graceNs else { return .late }
        return .correction
    }

    /// Folds one price into every timeframe; returns `.late` when it belongs to a candle that can no
    /// longer change. Checked for every timeframe first, so a tick is applied everywhere or nowhere.
    private mutating func placeInCandles(
        _ state: inout InstrumentState, _ i: Int, _ ts: Int64, _ price: Double, _ size: Double, _ out: inout EngineOutput
    ) -> TickIssue? {
        let base = i * timeframes.count
        for t in timeframes.indices where placement(slots[base + t], ts) == .late { return .late }
        for (t, tf) in timeframes.enumerated() {
            let s = base + t
            switch placement(slots[s], ts) {
            case .forming:
                slots[s].forming!.add(tsNs: ts, price: price, size: size)
                slots[s].formingChanged = true
            case .correction:
                slots[s].lastClosed!.add(tsNs: ts, price: price, size: size)
                out.candles.append(CandleEvent(kind: .correction, candle: slots[s].lastClosed!))
            case .newPeriod:
                close(s, &out)
                let (start, end) = period(tf, &state, ts)
                slots[s].forming = CandleState(
                    instrument: InstrumentID(Int32(i)), timeframe: tf, openTime: start, periodEnd: end, tsNs: ts, price: price, size: size)
                slots[s].formingChanged = true
                if end < nextPeriodEnd { nextPeriodEnd = end }
            case .late:
                break
            }
        }
        return nil
    }

    private mutating func close(_ s: Int, _ out: inout EngineOutput) {
        guard let forming = slots[s].forming else { return }
        slots[s].lastClosed = forming
        slots[s].forming = nil
        slots[s].formingChanged = false
        out.candles.append(CandleEvent(kind: .closed, candle: forming))
    }

    /// The period of `tf` containing `ts` (`TradingSessions.period`), with the current session day cached.
    private func period(_ tf: Timeframe, _ state: inout InstrumentState, _ ts: Int64) -> (Int64, Int64) {
        guard tf == .d1, let sessions = state.sessions else {
            let start = tf.periodStart(containing: ts)
            return (start, start + tf.nanoseconds)
        }
        if ts < state.dayStart || ts >= state.dayEnd { (state.dayStart, state.dayEnd) = sessions.period(.d1, containing: ts) }
        return (state.dayStart, state.dayEnd)
    }

    // MARK: Time

    /// Moves the clock to `now` (the feed's time) and closes every candle whose period has ended.
    public mutating func advance(to now: Int64, into out: inout EngineOutput) {
        if now > clock { clock = now }
        guard now >= nextPeriodEnd else { return }
        var next = Int64.max
        for s in slots.indices {
            guard let forming = slots[s].forming else { continue }
            if forming.periodEnd <= now {
                close(s, &out)
            } else if forming.periodEnd < next {
                next = forming.periodEnd
            }
        }
        nextPeriodEnd = next
    }

    /// Appends a `forming` event for every candle changed since the last call.
    public mutating func collectForming(into out: inout EngineOutput) {
        for s in slots.indices where slots[s].formingChanged {
            slots[s].formingChanged = false
            if let forming = slots[s].forming { out.candles.append(CandleEvent(kind: .forming, candle: forming)) }
        }
    }

    /// The candle still forming for `instrument` and `timeframe`, if any.
    public func formingCandle(_ instrument: InstrumentID, _ timeframe: Timeframe) -> CandleState? {
        guard let t = timeframes.firstIndex(of: timeframe) else { return nil }
        return slots[instrument.index * timeframes.count + t].forming
    }
}
