import Bus
import Foundation
import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import TradingCore

/// The long-running part of market-data: every configured feed (restarted with backoff when it
/// fails), the latest-quote hashes in Redis, and candle retention. Stops on graceful shutdown.
final class MarketDataRuntime: Service, Sendable {
    let pipeline: MarketDataPipeline
    let feeds: [any MarketFeed]
    let settings: MarketDataSettings
    let repository: CandleRepository?
    let logger: Logger

    init(pipeline: MarketDataPipeline, feeds: [any MarketFeed], settings: MarketDataSettings, repository: CandleRepository?, logger: Logger) {
        self.pipeline = pipeline
        self.feeds = feeds
        self.settings = settings
        self.repository = repository
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for feed in self.feeds { group.addTask { await self.runFeed(feed) } }
                if self.pipeline.bus != nil { group.addTask { await self.publishQuotes() } }
                if self.repository != nil { group.addTask { await self.applyRetention() } }
                await group.waitForAll()
            }
        }
    }

    /// Between restarts of a stopped feed: 250 ms doubling to 30 s, jittered.
    private let feedRestart = Backoff(initial: .milliseconds(250), maximum: .seconds(30))

    private func runFeed(_ feed: any MarketFeed) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                var sink = pipeline.sink(for: feed.name)
                sink.storedUntilNs = try await storedUntil()
                try await feed.run(into: sink)
                if Task.isCancelled { return }
                attempt = 0
            } catch is CancellationError {
                return
            } catch {
                attempt += 1
                if attempt == 1 || attempt % 10 == 0 {
                    logger.warning("feed stopped; restarting", metadata: ["marketdata.feed": "\(feed.name)", "error": "\(error)", "attempt": "\(attempt)"])
                }
            }
            try? await Task.sleep(for: feedRestart.delay(attempt: attempt))
        }
    }

    /// The end of the newest live candle of the finest timeframe built, nil without storage or candles.
    private func storedUntil() async throws -> Int64? {
        guard let repository, let finest = settings.rules.timeframes.first else { return nil }
        return try await repository.latestLiveOpenTime(finest).map { $0 + finest.nanoseconds }
    }

    /// Writes changed quotes to their Redis hashes (`tw.md.quote.<SYMBOL>`).
    private func publishQuotes() async {
        guard let bus = pipeline.bus else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.quotePublishInterval)
            for q in pipeline.takeChangedQuotes() {
                do {
                    try await bus.setFields(BusChannel.quoteKey(q.symbol), QuoteFields.encode(q))
                } catch {
                    logger.debug("quote hash write failed", metadata: ["error": "\(error)"])
                    break
                }
            }
        }
    }

    /// Deletes candles older than each timeframe's retention, every ten minutes.
    private func applyRetention() async {
        guard let repository else { return }
        while !Task.isCancelled {
            let now = WallClock.nowNs
            for (tf, days) in settings.retentionDays {
                do {
                    let n = try await repository.deleteOlder(tf, than: now - Int64(days) * 86_400_000_000_000)
                    if n > 0 { logger.info("retention removed candles", metadata: ["candles.timeframe": "\(tf)", "candles.removed": "\(n)"]) }
                } catch {
                    logger.warning("retention failed", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .seconds(600))
        }
    }
}
