import Contract
import CoreMetrics
import Logging
import ServiceKit
import Wire

extension IndicatorsRuntime {
    /// Replays `ticket`'s history from market-data into its state, then installs it.
    ///
    /// Warm-up rebuilds fresh state from the sets' anchor: nothing is published, snapshots of bars
    /// newer than the newest stored one are stored (bars closed while the service was down), and the
    /// bar of the newest stored snapshot is recomputed and compared with it (a difference means the
    /// history changed under the anchor; it is logged and counted in `indicators_warmup_mismatches_total`).
    /// Catch-up continues the live state from its last bar and publishes what it replays.
    func sync(_ ticket: SeriesBook.SyncTicket) async throws {
        let key = ticket.key
        var computer = ticket.computer
        let stored = ticket.mode == .warmUp ? try await snapshots?.latest(key) : nil
        var made: [SeriesBook.Emission] = []
        var latest: PB.IndicatorSnapshot?
        // Only the last replayed bar keeps the state a correction needs: the bar is applied one
        // page item late, once it is known not to be the last.
        var held: PB.Candle?
        func apply(_ candle: PB.Candle, undoable: Bool) {
            guard let snapshot = computer.snapshot(key, candle, undoable: undoable) else { return }
            latest = snapshot
            if let stored, stored.openTimeNs == candle.openTimeNs { check(snapshot, against: stored) }
            if ticket.mode == .catchUp || candle.openTimeNs > (stored?.openTimeNs ?? .min) {
                made.append(SeriesBook.Emission(key: key, snapshot: snapshot))
            }
        }
        try await history.forEachPage(key, from: ticket.fromNs) { page in
            for candle in page {
                if let h = held { apply(h, undoable: false) }
                held = candle
            }
            return !Task.isCancelled
        }
        if let h = held { apply(h, undoable: true) }
        guard let live = book.finish(ticket, computer: computer, latest: latest ?? stored) else { return }
        switch ticket.mode {
        case .catchUp: emit(made + live)
        case .warmUp:
            writer?.enqueue(made.map(\.snapshot))
            emit(live)
        }
        logger.debug("series synced", metadata: ["indicators.series": "\(key)", "indicators.bars": "\(made.count)"])
    }

    /// Logs and counts a recomputed bar whose values differ from what was stored for it.
    private func check(_ recomputed: PB.IndicatorSnapshot, against stored: PB.IndicatorSnapshot) {
        let differing = stored.values.filter { name, value in
            guard let now = recomputed.values[name] else { return false }
            return !(abs(now - value) <= 1e-9 * max(1, abs(value)) || (now.isNaN && value.isNaN))
        }
        guard !differing.isEmpty else { return }
        mismatches.increment(by: differing.count)
        logger.warning(
            "warm-up recomputed different values for the last stored bar; market-data's history before it changed",
            metadata: [
                "indicators.series": "\(recomputed.symbol) \(recomputed.timeframe)", "indicators.open_time_ns": "\(stored.openTimeNs)",
                "indicators.columns": "\(differing.keys.sorted().joined(separator: ","))",
            ])
    }
}
