import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// Persists rows in batches behind a producer that must never wait for storage: `enqueue` only
/// appends; the writer flushes every `flushInterval` through `write`. A failed write keeps its rows
/// and is retried with backoff (up to `maxPending` rows are held; beyond that the oldest are dropped,
/// counted and logged once). Flushes run one at a time, so a later version of a row is never
/// overtaken by an earlier one. On shutdown it flushes what is queued.
///
/// Metrics: `<name>_written_total` and `<name>_dropped_total`.
public final class BatchWriter<Row: Sendable>: Service, Sendable {
    /// How often it flushes and how much it holds.
    public struct Settings: Sendable {
        /// Time between flushes.
        public var flushInterval: Duration
        /// Rows held while storage is away; beyond it the oldest are dropped.
        public var maxPending: Int

        /// 250 ms flushes, a million rows held.
        public init(flushInterval: Duration = .milliseconds(250), maxPending: Int = 1_000_000) {
            self.flushInterval = flushInterval
            self.maxPending = maxPending
        }
    }

    private struct State {
        var pending: [Row] = []
        var flushing = false
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let name: String
    private let settings: Settings
    private let write: @Sendable ([Row]) async throws -> Void
    private let coalesce: @Sendable ([Row]) -> [Row]
    private let logger: Logger
    private let state = Mutex(State())
    private let written: Counter
    private let dropped: Counter
    /// Whether the overflow has been logged (once; the counter keeps the count).
    private let overflowLogged = Atomic<Bool>(false)

    /// A writer called `name` (metrics, logs) that stores batches with `write`. `coalesce` may shrink
    /// a batch before it is written (e.g. keep only the latest version of each row).
    public init(
        name: String, settings: Settings = Settings(), logger: Logger,
        coalesce: @escaping @Sendable ([Row]) -> [Row] = { $0 }, write: @escaping @Sendable ([Row]) async throws -> Void
    ) {
        self.name = name
        self.settings = settings
        self.write = write
        self.coalesce = coalesce
        self.logger = logger
        written = Counter(label: "\(name)_written_total")
        dropped = Counter(label: "\(name)_dropped_total")
    }

    /// A `coalesce` that keeps only the last version of each row (by `key`), in batch order: a row
    /// rewritten several times in one batch is written once (a multi-row upsert may not touch a row twice).
    public static func keepingLast(by key: @escaping @Sendable (Row) -> some Hashable) -> @Sendable ([Row]) -> [Row] {
        { batch in
            var latest: [AnyHashable: Int] = [:]
            for (i, row) in batch.enumerated() { latest[AnyHashable(key(row))] = i }
            return latest.count == batch.count ? batch : latest.values.sorted().map { batch[$0] }
        }
    }

    /// Queues `rows` for the next flush.
    public func enqueue(_ rows: [Row]) {
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
                logger.error("\(name) is \(settings.maxPending) rows behind storage; dropping the oldest", metadata: ["writer.dropped": "\(overflow)"])
            }
        }
    }

    /// Flushes on the timer until graceful shutdown or cancellation, then once more.
    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [settings] in try await Task.sleep(for: settings.flushInterval) }
            do {
                try await flush()
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("\(name): storing failed; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(failures, 6))))
            }
        }
        do { try await flush() } catch { logger.error("\(name): final flush failed", metadata: ["error": "\(error)"]) }
    }

    /// Writes everything enqueued before the call (read-your-writes for queries). Waits for a flush
    /// already running.
    public func flush() async throws {
        await acquire()
        defer { release() }
        let batch = state.withLock { s in
            defer { s.pending.removeAll(keepingCapacity: true) }
            return s.pending
        }
        guard !batch.isEmpty else { return }
        let rows = coalesce(batch)
        do {
            try await write(rows)
            written.increment(by: rows.count)
        } catch {
            state.withLock { s in s.pending = rows + s.pending }
            throw error
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
