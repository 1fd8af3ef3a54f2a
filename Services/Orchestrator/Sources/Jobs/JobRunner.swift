import Bus
import Contract
import Foundation
import LanguageModels
import RPC
import Logging
import ServiceKit
import ServiceLifecycle
import Store
import Synchronization
import TradingCore
import Wire

/// Runs backtest and optimisation jobs from the `jobs` queue: `jobs.workers` at once in this
/// process, each on the compute pool (`OffLoop`: never an RPC event loop or the async pool), claimed with `SKIP LOCKED` so replicas share the queue. Progress is stored and
/// published every half second; a cancel (the row marked cancelled) is noticed at the next
/// progress tick and the run stops with nothing kept. At start, jobs a stopped process left
/// running are marked failed.
final class JobRunner: Service, Sendable {
    let store: Store
    let bus: Bus?
    let peers: Peers
    let settings: OrchestratorSettings
    let logger: Logger
    /// Asks the model for a backtest of a strategy that weighs the `llm` agent.
    let agents: ExternalAgents
    /// Bumped by every submit: an idle worker that sees it change looks at the queue at once.
    private let submitted = Atomic<Int>(0)

    init(store: Store, bus: Bus?, peers: Peers, settings: OrchestratorSettings, logger: Logger, agents: ExternalAgents) {
        self.agents = agents
        self.store = store
        self.bus = bus
        self.peers = peers
        self.settings = settings
        self.logger = logger
    }

    /// A job was queued: a free worker looks now rather than at its next poll.
    func notify() { submitted.add(1, ordering: .relaxed) }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.failInterruptedJobs() }
                for _ in 0..<self.settings.jobWorkers {
                    group.addTask { await self.work() }
                }
            }
        }
    }

    /// Fails the jobs a stopped process left running, trying again until the database answers (at
    /// start-up it may not yet: a single try left such a job "running" for good under load).
    private func failInterruptedJobs() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                for job in try await OrchestratorTables.failInterruptedJobs(at: WallClock.nowNs, store) { publish(job) }
                return
            } catch {
                logger.warning("cannot mark interrupted jobs failed yet; trying again", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// One worker: claims and runs jobs until the process stops, polling every second for jobs
    /// another replica queued.
    private func work() async {
        while !Task.isCancelled {
            let claimed: PB.Job?
            do {
                claimed = try await OrchestratorTables.claimQueuedJob(at: WallClock.nowNs, store)
            } catch {
                logger.warning("cannot read the job queue", metadata: ["error": "\(error)"])
                claimed = nil
            }
            guard let job = claimed else {
                // Idle: up to a second, less when a job is submitted here.
                let seen = submitted.load(ordering: .relaxed)
                for _ in 0..<20 where submitted.load(ordering: .relaxed) == seen && !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                continue
            }
            publish(job)
            await execute(job)
        }
    }

    private func execute(_ started: PB.Job) async {
        var job = started
        let cancelled = Atomic<Bool>(false)
        let progress = Mutex<Double>(0)
        let ticker = Task {
            // Stores and publishes progress, and notices a cancel, every half second.
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(500))
                guard !Task.isCancelled else { return }
                var update = started
                update.progress = progress.withLock { $0 }
                update.updatedAtNs = WallClock.nowNs
                if let stored = try? await OrchestratorTables.update(update, from: [.running], store), !stored {
                    cancelled.store(true, ordering: .relaxed)
                    return
                }
                publish(update)
            }
        }
        let onProgress: @Sendable (Double) -> Void = { p in progress.withLock { $0 = max($0, p) } }
        let isCancelled: @Sendable () -> Bool = { cancelled.load(ordering: .relaxed) }
        var result: PB.BacktestResult?
        do {
            switch job.kind {
            case .optimization:
                let prepared = try await PreparedOptimization.load(job.optimization ?? PB.OptimizationRequest(), peers: peers, settings: settings)
                let timeframe = (try? OrchestratorHandlers.timeframe(prepared.base.request.timeframe))?.rawValue ?? ""
                // The macro agent's votes (news abstains; a weighed llm was refused at submission, so it abstains here).
                let votes = try await BacktestVotes.compute(
                    plan: prepared.base.strategy.plan, series: prepared.base.series, timeframe: timeframe,
                    agents: ExternalAgents(llm: LLMAgent(model: nil, deadline: .seconds(1)), news: agents.news, macro: agents.macro), user: job.ownerId,
                    store: store, maxCalls: 0)
                job.resultJson = try await OffLoop.run { try prepared.run(votes: votes, progress: onProgress, isCancelled: isCancelled) }
            default:
                let prepared = try await PreparedBacktest.load(job.backtest ?? PB.BacktestRequest(), peers: peers, settings: settings)
                let id = job.id
                let timeframe = (try? OrchestratorHandlers.timeframe(prepared.request.timeframe))?.rawValue ?? ""
                let votes = try await BacktestVotes.compute(
                    plan: prepared.strategy.plan, series: prepared.series, timeframe: timeframe, agents: agents, user: job.ownerId, store: store,
                    maxCalls: settings.ai.backtestMaxCalls)
                let full = try await OffLoop.run { try prepared.run(id: id, curvePoints: nil, votes: votes, progress: onProgress, isCancelled: isCancelled) }
                job.resultJson = full.metricsJson
                result = full
            }
            job.status = .done
            job.progress = 1
        } catch {
            let failure = RPCError.from(error).error
            job.status = cancelled.load(ordering: .relaxed) ? .cancelled : .failed
            job.error = job.status == .cancelled ? "" : failure.message
        }
        ticker.cancel()
        job.updatedAtNs = WallClock.nowNs
        do {
            let stored = try await OrchestratorTables.finish(job, result: job.status == .done ? result : nil, store)
            if stored { publish(job) }
        } catch {
            logger.error("cannot store a finished job", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Tells the owner's WebSocket subscribers (through the gateway) the job's state, without its result.
    func publish(_ job: PB.Job) {
        var event = job
        event.resultJson = ""
        if let bus { _ = try? bus.publish(BusChannel.job(owner: job.ownerId), event) }
    }
}
