import Contract
import Indicators
import Synchronization
import Wire

/// Every series that has indicator sets: its sets, streaming state, newest snapshot and phase.
///
/// A series is `syncing` while its state is rebuilt from market-data's history (after a start, a set
/// change, or a bus reconnect); candles that arrive meanwhile wait in `pending` and are applied,
/// in order, when the sync finishes. Each sync carries a generation: a sync overtaken by a newer one
/// (another set change) is discarded. One `Mutex` guards it all; history is fetched outside it.
final class SeriesBook: Sendable {
    enum Phase {
        case syncing(pending: [PB.Candle])
        case live
    }

    struct Series {
        var sets: [IndicatorSetRecord]
        var computer: SeriesComputer
        var phase: Phase
        var latest: PB.IndicatorSnapshot?
        var generation: Int
    }

    /// How a sync replays history.
    enum SyncMode: Sendable {
        /// From the sets' anchor, with fresh state; the replayed bars are not published.
        case warmUp
        /// From the bar after the last one applied; the replayed bars are published (missed while the bus was down).
        case catchUp
    }

    /// A sync to run: replay candles from `fromNs` into `computer`, then `finish` it.
    struct SyncTicket: Sendable {
        let key: SeriesKey
        let generation: Int
        let mode: SyncMode
        let fromNs: Int64
        let computer: SeriesComputer
    }

    /// A snapshot to publish and store.
    struct Emission: Sendable {
        let key: SeriesKey
        let snapshot: PB.IndicatorSnapshot
    }

    private struct State {
        var series: [SeriesKey: Series] = [:]
        var byChannel: [String: SeriesKey] = [:]
        var nextGeneration = 1
        /// Series whose sets a call changed (see `configure`).
        var changedByCalls: Set<SeriesKey> = []
    }

    /// Candles held per series while it syncs; older ones beyond this are in market-data's history.
    static let maxPending = 100_000
    private let state = Mutex(State())

    // MARK: Sets

    /// Replaces the sets of `key` and starts a warm-up (nil when no set is left: the series is dropped).
    /// `atStart` marks the sets loaded at start-up: they do not replace sets a call has configured
    /// since (that call read storage later, so its view is newer).
    func configure(_ key: SeriesKey, sets: [IndicatorSetRecord], atStart: Bool = false) -> SyncTicket? {
        state.withLock { s in
            if atStart {
                guard !s.changedByCalls.contains(key) else { return nil }
            } else {
                s.changedByCalls.insert(key)
            }
            guard !sets.isEmpty else {
                s.series[key] = nil
                s.byChannel[key.candleChannel] = nil
                return nil
            }
            let latest = s.series[key]?.latest
            s.series[key] = Series(
                sets: sets, computer: SeriesComputer(sets: sets.map(\.indicators)), phase: .syncing(pending: []), latest: latest,
                generation: 0)
            s.byChannel[key.candleChannel] = key
            return Self.begin(&s, key, .warmUp)
        }
    }

    /// Starts a sync of `key` in `mode`; nil when the series has no sets.
    func begin(_ key: SeriesKey, _ mode: SyncMode) -> SyncTicket? {
        state.withLock { s in s.series[key] == nil ? nil : Self.begin(&s, key, mode) }
    }

    private static func begin(_ s: inout State, _ key: SeriesKey, _ mode: SyncMode) -> SyncTicket {
        let generation = s.nextGeneration
        s.nextGeneration += 1
        var series = s.series[key]!
        series.generation = generation
        if case .live = series.phase { series.phase = .syncing(pending: []) }
        s.series[key] = series
        let anchor = series.sets.map(\.anchorNs).min()!
        switch mode {
        case .warmUp:
            return SyncTicket(
                key: key, generation: generation, mode: mode, fromNs: anchor, computer: SeriesComputer(sets: series.sets.map(\.indicators)))
        case .catchUp:
            let from = series.computer.lastOpenTime.map { $0 + 1 } ?? anchor
            return SyncTicket(key: key, generation: generation, mode: mode, fromNs: from, computer: series.computer)
        }
    }

    /// Installs a finished sync and applies the candles that arrived meanwhile; nil when a newer
    /// sync overtook it.
    func finish(_ ticket: SyncTicket, computer: SeriesComputer, latest: PB.IndicatorSnapshot?) -> [Emission]? {
        state.withLock { s -> [Emission]? in
            guard var series = s.series[ticket.key], series.generation == ticket.generation else { return nil }
            guard case .syncing(let pending) = series.phase else { return nil }
            series.computer = computer
            if let latest { series.latest = latest }
            series.phase = .live
            var emissions: [Emission] = []
            for candle in pending {
                if let e = Self.apply(candle, to: &series, ticket.key) { emissions.append(e) }
            }
            s.series[ticket.key] = series
            return emissions
        }
    }

    // MARK: Candles

    /// A closed candle or correction from the bus on `channel`; returns the snapshot it made, if any.
    func receive(_ candle: PB.Candle, on channel: String) -> Emission? {
        guard candle.closed else { return nil }
        return state.withLock { s -> Emission? in
            guard let key = s.byChannel[channel], s.series[key] != nil else { return nil }
            // In place: a copy of the series would copy every indicator's window on each bar.
            return Self.receive(candle, key, into: &s.series[key]!)
        }
    }

    private static func receive(_ candle: PB.Candle, _ key: SeriesKey, into series: inout Series) -> Emission? {
        switch series.phase {
        case .syncing(var pending):
            series.phase = .live  // drops the phase's reference, so `pending` grows in place
            pending.append(candle)
            if pending.count > Self.maxPending { pending.removeFirst(pending.count - Self.maxPending) }
            series.phase = .syncing(pending: pending)
            return nil
        case .live:
            return Self.apply(candle, to: &series, key)
        }
    }

    /// True when `channel` carries candles of a series with sets (decoding can be skipped otherwise).
    func wants(_ channel: String) -> Bool { state.withLock { $0.byChannel[channel] != nil } }

    private static func apply(_ candle: PB.Candle, to series: inout Series, _ key: SeriesKey) -> Emission? {
        // The last bar again is a correction only when market-data says so; otherwise it is a
        // repeat (a candle seen in the replayed history and on the bus) and changes nothing.
        if candle.openTimeNs == series.computer.lastOpenTime, !candle.correction { return nil }
        guard let snapshot = series.computer.snapshot(key, candle) else { return nil }
        series.latest = snapshot
        return Emission(key: key, snapshot: snapshot)
    }

    // MARK: Reading

    /// The newest snapshot of `key` held in memory.
    func latest(_ key: SeriesKey) -> PB.IndicatorSnapshot? { state.withLock { $0.series[key]?.latest } }

    /// The sets configured on `key`.
    func sets(_ key: SeriesKey) -> [IndicatorSetRecord] { state.withLock { $0.series[key]?.sets ?? [] } }

    /// Every series with sets, and whether it is live.
    func series() -> [(key: SeriesKey, live: Bool)] {
        state.withLock { s in
            s.series.map { key, series in
                if case .live = series.phase { (key, true) } else { (key, false) }
            }.sorted { $0.key < $1.key }
        }
    }
}

extension SeriesComputer {
    /// Feeds `candle` of `key` and makes its snapshot; nil when the bar is older than the last.
    mutating func snapshot(_ key: SeriesKey, _ candle: PB.Candle, undoable: Bool = true) -> PB.IndicatorSnapshot? {
        guard let (values, correction) = apply(candle.bar, openTime: candle.openTimeNs, undoable: undoable) else { return nil }
        return PB.IndicatorSnapshot(
            symbol: key.symbol, timeframe: key.timeframe.wire, openTimeNs: candle.openTimeNs, close: candle.close, values: values,
            correction: correction)
    }
}

extension PB.Candle {
    /// The bar an indicator reads.
    var bar: PriceBar { PriceBar(open: open, high: high, low: low, close: close, volume: volume) }
}
