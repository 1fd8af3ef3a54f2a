import Bus
import Contract
import CoreMetrics
import Foundation
import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import Wire

/// The live side of the service: loads the sets at start, warms each series up from market-data's
/// history, turns closed candles from the bus into snapshots (published on `tw.ind.<TF>.<SYMBOL>`,
/// stored, streamed), catches up after a bus reconnect, retries syncs market-data could not serve,
/// and applies snapshot retention. Stops on graceful shutdown.
final class IndicatorsRuntime: Service, Sendable {
    struct SyncRequest: Sendable {
        let key: SeriesKey
        let mode: SeriesBook.SyncMode
    }

    let book = SeriesBook()
    let history: CandleHistory
    let sets: SetRepository?
    let snapshots: SnapshotRepository?
    let writer: BatchWriter<PB.IndicatorSnapshot>?
    let bus: Bus?
    let settings: IndicatorsSettings
    let logger: Logger
    /// Every snapshot made live, for StreamSnapshots.
    let stream = Broadcaster<SeriesBook.Emission>(droppedMetric: "indicators_stream_items_dropped_total")
    private let requests = AsyncStream<SyncRequest>.makeStream()
    private let published = Counter(label: "indicators_snapshots_total")
    let mismatches = Counter(label: "indicators_warmup_mismatches_total")
    private let syncFailures = Counter(label: "indicators_sync_failures_total")
    /// Between failed syncs: 250 ms doubling to 30 s, jittered.
    private let syncRetry = Backoff(initial: .milliseconds(250), maximum: .seconds(30))

    init(
        history: CandleHistory, sets: SetRepository?, snapshots: SnapshotRepository?, writer: BatchWriter<PB.IndicatorSnapshot>?, bus: Bus?,
        settings: IndicatorsSettings, logger: Logger
    ) {
        self.history = history
        self.sets = sets
        self.snapshots = snapshots
        self.writer = writer
        self.bus = bus
        self.settings = settings
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.consumeCandles() }
                group.addTask { await self.applyRetention() }
                for await request in self.requests.stream {
                    group.addTask { await self.syncUntilDone(request) }
                }
            }
        }
    }

    /// Asks the run loop to sync `key` (retrying until market-data answers).
    func schedule(_ key: SeriesKey, _ mode: SeriesBook.SyncMode) {
        requests.continuation.yield(SyncRequest(key: key, mode: mode))
    }

    // MARK: Candles in, snapshots out

    /// Subscribes to every candle channel first, then loads the sets, so no closed candle falls
    /// between a series' warm-up and its live updates.
    private func consumeCandles() async {
        guard let bus else {
            await loadSets()
            return
        }
        let subscription: BusSubscription
        do {
            subscription = try bus.subscribe(patterns: [BusChannel.everyCandle])
            try? await subscription.waitUntilSubscribed()
        } catch {
            logger.error("cannot subscribe to candles", metadata: ["error": "\(error)"])
            return
        }
        await loadSets()
        for await delivery in subscription {
            switch delivery {
            case .resubscribed:
                // Candles may have been missed: replay them from market-data's history.
                for (key, live) in book.series() where live { schedule(key, .catchUp) }
            case .message(let channel, let payload):
                guard book.wants(channel), let candle = try? PB.Candle(decoding: payload) else { continue }
                if let emission = book.receive(candle, on: channel) { emit([emission]) }
            }
        }
    }

    /// Publishes, stores and streams snapshots.
    func emit(_ emissions: [SeriesBook.Emission]) {
        guard !emissions.isEmpty else { return }
        for e in emissions {
            if let bus { _ = try? bus.publish(e.key.snapshotChannel, e.snapshot) }
        }
        writer?.enqueue(emissions.map(\.snapshot))
        stream.publish(emissions)
        published.increment(by: emissions.count)
    }

    /// Loads every stored set and starts warming up its series; retries while Postgres is away.
    private func loadSets() async {
        guard let sets else { return }
        var attempt = 0
        while !Task.isCancelled {
            do {
                let all = try await sets.all()
                for (key, group) in Dictionary(grouping: all, by: \.key) where book.configure(key, sets: group, atStart: true) != nil {
                    schedule(key, .warmUp)
                }
                logger.info("indicator sets loaded", metadata: ["indicators.sets": "\(all.count)"])
                return
            } catch {
                if Task.isCancelled { return }
                attempt += 1
                if attempt == 1 { logger.warning("loading indicator sets failed; retrying", metadata: ["error": "\(error)"]) }
                try? await Task.sleep(for: .milliseconds(min(5000, 100 << min(attempt, 6))))
            }
        }
    }

    /// Runs syncs of `request.key` until one succeeds or a newer one takes over.
    private func syncUntilDone(_ request: SyncRequest) async {
        var attempt = 0
        while !Task.isCancelled, let ticket = book.begin(request.key, request.mode) {
            do {
                try await sync(ticket)
                return
            } catch {
                attempt += 1
                syncFailures.increment()
                if attempt == 1 || attempt % 10 == 0 {
                    logger.warning(
                        "cannot sync indicators from market-data; retrying",
                        metadata: ["indicators.series": "\(request.key)", "error": "\(error)", "attempt": "\(attempt)"])
                }
                try? await Task.sleep(for: syncRetry.delay(attempt: attempt - 1))
            }
        }
    }

    /// Deletes snapshots older than the retention, every ten minutes.
    private func applyRetention() async {
        guard let snapshots, settings.snapshotRetentionDays > 0 else { return }
        while !Task.isCancelled {
            let cutoff = WallClock.nowNs - Int64(settings.snapshotRetentionDays) * 86_400_000_000_000
            do {
                let n = try await snapshots.deleteOlder(than: cutoff)
                if n > 0 { logger.info("retention removed snapshots", metadata: ["indicators.removed": "\(n)"]) }
            } catch {
                logger.warning("snapshot retention failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(600))
        }
    }
}
