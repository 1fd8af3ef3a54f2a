import Contract
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Persists closed candles and corrections in batches: `enqueue` only appends; the writer flushes
/// every `flushInterval` as multi-row upserts. A failed write
/// keeps its rows and is retried (up to `maxPending` rows are held; beyond that the oldest are
/// dropped, counted and logged). Flushes run one at a time, so a correction is never overtaken by
/// the candle it corrects.
final class CandleWriter: Service, Sendable {
    struct Settings: Sendable {
        var flushInterval: Duration = .milliseconds(250)
        var maxPending = 1_000_000
    }

    private struct State {
        var pending: [StoredCandle] = []
        var flushing = false
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let repository: CandleRepository
    private let settings: Settings
    private let logger: Logger
    private let state = Mutex(State())
    private let written = Counter(label: "marketdata_candles_written_total")
    private let dropped = Counter(label: "marketdata_candles_dropped_total")
    /// Whether the overflow has been logged (it is logged once; the counter keeps the count).
    private let overflowLogged = Atomic<Bool>(false)

    init(repository: CandleRepository, settings: Settings, logger: Logger) {
        self.repository = repository
        self.settings = settings
        self.logger = logger
    }

    func enqueue(_ rows: [StoredCandle]) {
        guard !rows.isEmpty else { return }
        let overflow = state.withLock { s -> Int in
            s.pending += rows
            let overflow = max(0, s.pending.count - settings.maxPending)
            if overflow > 0 { s.pending.removeFirst(overflow) }
            return overflow
        }
        if overflow > 0 {
            dropped.increment(by: overflow)
            if !overflowLogged.exchange(true, ordering: .relaxed) {
                logger.error("candle writer is \(settings.maxPending) rows behind storage; dropping the oldest", metadata: ["candles.dropped": "\(overflow)"])
            }
        }
    }

    func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [settings] in try await Task.sleep(for: settings.flushInterval) }
            do {
                try await flush()
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("storing candles failed; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(failures, 6))))
            }
        }
        // Shutdown: one last flush of what is queued.
        do { try await flush() } catch { logger.error("final candle flush failed", metadata: ["error": "\(error)"]) }
    }

    /// Writes everything enqueued before the call. Waits for a flush already running.
    func flush() async throws {
        await acquire()
        defer { release() }
        let batch = state.withLock { s in
            defer { s.pending.removeAll(keepingCapacity: true) }
            return s.pending
        }
        guard !batch.isEmpty else { return }
        // A candle corrected several times in one batch is written once, as its latest state.
        var latest: [Key: Int] = [:]
        for (i, r) in batch.enumerated() { latest[Key(r)] = i }
        let rows = latest.count == batch.count ? batch : latest.values.sorted().map { batch[$0] }
        do {
            try await repository.upsert(rows)
            written.increment(by: rows.count)
        } catch {
            state.withLock { s in s.pending = rows + s.pending }
            throw error
        }
    }

    private struct Key: Hashable {
        let symbol: String
        let timeframe: Int
        let openTime: Int64
        init(_ r: StoredCandle) {
            symbol = r.symbol
            timeframe = r.candle.timeframe.wireNumber
            openTime = r.candle.openTime
        }
    }

    private func acquire() async {
        await withCheckedContinuation { c in
            let now = state.withLock { s -> Bool in
                if !s.flushing {
                    s.flushing = true
                    return true
                }
                s.flushWaiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    private func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.flushWaiters.isEmpty {
                s.flushing = false
                return nil
            }
            return s.flushWaiters.removeFirst()
        }
        next?.resume()
    }
}
