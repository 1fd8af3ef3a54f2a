import Bus
import Contract
import Logging
import RPC
import ServiceKit
import ServiceLifecycle
import Store
import Strategies
import Synchronization
import TradingCore
import Wire

/// Runs the bots that should run: one subscription to every candle on the bus, each closed bar
/// handed to the bots on that series, each bot acting on its bars one at a time with its own
/// streaming strategy state (warmed on market-data's history when it starts). Bots
/// whose owners left them running are resumed at start (retried with backoff while a peer they
/// need is away). Stops on graceful shutdown; the bots stay marked running and resume next start.
final class BotSupervisor: Service, Sendable {
    let trader: BotTrader
    private let running = Mutex<[String: Runner]>([:])
    private let generations = Atomic<Int>(0)
    private let launches = AsyncStream<String>.makeStream()

    private struct Runner: Sendable {
        var plan: BotPlan
        let bars: AsyncStream<PB.Candle>.Continuation
        let stream: AsyncStream<PB.Candle>
    }

    init(trader: BotTrader) { self.trader = trader }

    var logger: Logger { trader.logger }
    var store: Store { trader.store }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.consumeCandles() }
                group.addTask { await self.resumeStoredBots() }
                group.addTask { await self.trader.agents.run() }
                for await id in self.launches.stream {
                    group.addTask { await self.drive(id) }
                }
            }
        }
    }

    /// Whether the bot runs in this process now.
    func isRunning(_ id: String) -> Bool { running.withLock { $0[id] != nil } }

    /// Prepares `bot` (its instrument, and its strategy compiled with its risk settings) and starts
    /// acting on its bars; replaces the plan of a bot already running (an update).
    func start(_ bot: PB.Bot) async throws {
        let risk = try BotRisk(bot.risk)
        guard let timeframe = Timeframe(wire: bot.timeframe) else { throw OrchestratorError(.invalidArgument, "bot \(bot.id) has no timeframe") }
        let instrument = try await trader.peers.instrument(bot.symbol)
        let strategy = try Strategy(bot.strategy, risk: risk, instrument: instrument)
        let plan = BotPlan(
            bot: bot, strategy: strategy, risk: risk, timeframe: timeframe, lot: FixedDecimal(wire: instrument.lotSize), tick: FixedDecimal(wire: instrument.tickSize),
            generation: generations.add(1, ordering: .relaxed).newValue)
        let launched = running.withLock { running -> Bool in
            if running[bot.id] != nil {
                running[bot.id]!.plan = plan
                return false
            }
            let (stream, continuation) = AsyncStream<PB.Candle>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
            running[bot.id] = Runner(plan: plan, bars: continuation, stream: stream)
            return true
        }
        if launched { launches.continuation.yield(bot.id) }
    }

    /// Stops acting for bot `id` (what it is doing now finishes).
    func stop(_ id: String) {
        running.withLock { $0.removeValue(forKey: id) }?.bars.finish()
    }

    /// The bot's bars, one at a time, until it is stopped. Its strategy state is built (and warmed
    /// on history) on its first bar and again after every restart or update.
    private func drive(_ id: String) async {
        guard let stream = running.withLock({ $0[id]?.stream }) else { return }
        var state: BotState?
        for await candle in stream {
            guard let plan = running.withLock({ $0[id]?.plan }) else { break }
            if state?.generation != plan.generation {
                do {
                    state = try await trader.prepare(plan, before: candle.openTimeNs)
                } catch {
                    // Retried on the next bar; the bot says why meanwhile.
                    state = nil
                    logger.warning("cannot warm the bot up; retrying on the next bar", metadata: ["bot.id": "\(id)", "error": "\(error)"])
                    continue
                }
            }
            guard var current = state else { continue }
            await trader.act(on: candle, plan, &current)
            state = current
        }
    }

    private func consumeCandles() async {
        guard let bus = trader.bus else {
            logger.error("no bus: bots cannot hear candles and will not act")
            return
        }
        let subscription: BusSubscription
        do {
            subscription = try bus.subscribe(patterns: [BusChannel.everyCandle])
        } catch {
            logger.error("cannot subscribe to candles; bots will not act", metadata: ["error": "\(error)"])
            return
        }
        for await delivery in subscription {
            // Only closed bars are decided on; a correction of a closed bar arrives with a time already seen and is skipped.
            guard case .message(_, let payload) = delivery, let candle = try? PB.Candle(decoding: payload), candle.closed else { continue }
            let targets = running.withLock { running in
                running.values.filter { $0.plan.bot.symbol == candle.symbol && $0.plan.bot.timeframe == candle.timeframe }.map(\.bars)
            }
            for bars in targets { bars.yield(candle) }
        }
    }

    /// Bots left running: started again, each retried with backoff while it cannot start (a peer
    /// away), marked `error` with the reason meanwhile.
    private func resumeStoredBots() async {
        let retry = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
        var pending: [PB.Bot] = []
        var attempt = 0
        while !Task.isCancelled {
            do {
                pending = try await OrchestratorTables.botsToResume(store)
                break
            } catch {
                logger.warning("cannot read the bots to resume; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retry.delay(attempt: attempt))
                attempt += 1
            }
        }
        attempt = 0
        while !pending.isEmpty, !Task.isCancelled {
            var failed: [PB.Bot] = []
            for stored in pending {
                // Re-read: its owner may have stopped, changed or deleted it meanwhile.
                do {
                    guard let bot = try await OrchestratorTables.bot(id: stored.id, store), bot.desiredRunning else { continue }
                    try await start(bot)
                    try await record(bot.id, state: .running)
                    logger.info("bot resumed", metadata: ["bot.id": "\(stored.id)"])
                } catch {
                    failed.append(stored)
                    _ = try? await record(stored.id, state: .error, error: "cannot resume: \(error)")
                }
            }
            pending = failed
            if !pending.isEmpty {
                try? await Task.sleep(for: retry.delay(attempt: attempt))
                attempt += 1
            }
        }
    }

    /// Stores the bot's state, and whether its owner wants it running when `desired` is given, then
    /// tells its status streams; a bot stopped meanwhile is left stopped. The bot as stored, nil
    /// when it is gone (or was not changed).
    @discardableResult
    func record(_ id: String, state: PB.BotState, error: String = "", desired: Bool? = nil, message: String? = nil) async throws -> PB.Bot? {
        let updated = try await store.withTransaction { tx -> PB.Bot? in
            guard var bot = try await OrchestratorTables.bot(id: id, forUpdate: true, tx) else { return nil }
            if let desired { bot.desiredRunning = desired }
            guard bot.desiredRunning || state == .stopped else { return nil }
            bot.state = state
            bot.lastError = error
            bot.updatedAtNs = WallClock.nowNs
            try await OrchestratorTables.update(bot, tx)
            return bot
        }
        if let bot = updated {
            let text = message ?? (error.isEmpty ? "\(state)" : error)
            trader.statuses.publish([PB.BotStatus(botId: bot.id, state: bot.state, tsNs: bot.updatedAtNs, message: text)])
        }
        return updated
    }
}
