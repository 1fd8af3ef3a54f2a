import Bus
import Contract
import Foundation
import Indicators
import LanguageModels
import Logging
import RPC
import ServiceKit
import Strategies
import Store
import TradingCore
import Wire

/// The `Orchestrator` RPC service.
struct OrchestratorHandlers: OrchestratorService {
    let supervisor: BotSupervisor
    let jobs: JobRunner
    let settings: OrchestratorSettings
    let audit: AuditTrail
    var store: Store { supervisor.store }
    var peers: Peers { supervisor.trader.peers }
    var statuses: Broadcaster<PB.BotStatus> { supervisor.trader.statuses }

    // MARK: Catalogue

    func listAgents(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ListAgentsResponse {
        PB.ListAgentsResponse(agents: TradingAgent.allCases.map { a in
            PB.AgentInfo(name: a.info.name, kind: a.info.kind, description: a.info.description, defaultWeight: a.info.defaultWeight)
        })
    }

    func listStrategies(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ListStrategiesResponse {
        PB.ListStrategiesResponse(strategies: Strategy.infos)
    }

    // MARK: Bots

    /// Validates everything (symbol and account with their owners), stores the bot stopped; a
    /// retried request id returns the first bot.
    func createBot(_ request: PB.CreateBotRequest, context: ServerCallContext) async throws -> PB.Bot {
        let owner = request.ownerId.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        let requestId = request.requestId.trimmingCharacters(in: .whitespaces)
        if !requestId.isEmpty, let first = try await OrchestratorTables.bot(owner: owner, requestId: requestId, store) { return first }
        guard let timeframe = Timeframe(wire: request.timeframe) else {
            throw OrchestratorError(.invalidArgument, "timeframe is missing: one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        switch request.mode {
        case .paper, .unspecified: break
        default: throw OrchestratorError(.unsupportedMode, "only paper bots can run: no demo or live broker is configured")
        }
        let risk = try BotRisk(request.risk)
        guard !request.accountId.isEmpty else { throw OrchestratorError(.invalidArgument, "account_id is missing: the paper account the bot trades") }
        let instrument = try await peers.instrument(request.symbol)
        let symbol = instrument.symbol
        let config = try await SavedStrategies.resolve(request.strategy, owner: owner, store)
        let strategy = try Strategy(config, risk: risk, instrument: instrument)
        let execution = try peers.requireExecution()
        let account = try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
            try await execution.getAccount(PB.AccountRequest(accountId: request.accountId))
        }
        guard account.ownerId == owner else {
            throw OrchestratorError(.invalidArgument, "account \(request.accountId) does not belong to \(owner)")
        }
        let name = request.name.trimmingCharacters(in: .whitespaces)
        guard name.count <= 100 else { throw OrchestratorError(.invalidArgument, "name is \(name.count) characters; at most 100") }
        let now = WallClock.nowNs
        let bot = PB.Bot(
            id: UUID().uuidString.lowercased(), ownerId: owner, name: name.isEmpty ? "\(symbol) \(strategy.name) \(timeframe)" : name, symbol: symbol,
            timeframe: timeframe.wire, strategy: strategy.config, mode: .paper, accountId: account.id, risk: risk.wire, state: .stopped,
            desiredRunning: false, createdAtNs: now, updatedAtNs: now)
        if try await OrchestratorTables.insert(bot, requestId: requestId, store) { return bot }
        // A concurrent create with the same request id won.
        guard let first = try await OrchestratorTables.bot(owner: owner, requestId: requestId, store) else {
            throw OrchestratorError(.invalidArgument, "request_id \(requestId) is taken")
        }
        return first
    }

    func updateBot(_ request: PB.UpdateBotRequest, context: ServerCallContext) async throws -> PB.Bot {
        var bot = try await bot(request.id)
        if let name = request.name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed.count <= 100 else { throw OrchestratorError(.invalidArgument, "name must have 1 to 100 characters") }
            bot.name = trimmed
        }
        if request.strategy != nil || request.risk != nil {
            let risk = try BotRisk(request.risk ?? bot.risk)
            let instrument = try await peers.instrument(bot.symbol)
            let config = try await SavedStrategies.resolve(request.strategy ?? bot.strategy, owner: bot.ownerId, store)
            bot.strategy = try Strategy(config, risk: risk, instrument: instrument).config
            bot.risk = risk.wire
        }
        bot.updatedAtNs = WallClock.nowNs
        // A running bot takes the new plan from its next bar (its indicator set is ensured first).
        if supervisor.isRunning(bot.id) { try await supervisor.start(bot) }
        try await OrchestratorTables.update(bot, store)
        return bot
    }

    func getBot(_ request: PB.GetBotRequest, context: ServerCallContext) async throws -> PB.Bot { try await bot(request.id) }

    func listBots(_ request: PB.ListBotsRequest, context: ServerCallContext) async throws -> PB.ListBotsResponse {
        let paging = try PageCursor.Paging(request.page, invalid: OrchestratorErrorCode.invalidArgument)
        let bots = try await OrchestratorTables.bots(owner: request.ownerId, after: paging.after, limit: paging.fetch, store)
        let (page, info) = paging.page(bots) { ($0.createdAtNs, $0.id) }
        return PB.ListBotsResponse(bots: page, page: info)
    }

    /// Prepares the bot (its indicator set on the indicators service) and runs it; it stays
    /// running across restarts until stopped. A peer it needs being away is `unavailable`.
    func startBot(_ request: PB.GetBotRequest, context: ServerCallContext) async throws -> PB.Bot {
        let bot = try await bot(request.id)
        try await supervisor.start(bot)
        guard let started = try await supervisor.record(bot.id, state: .running, desired: true, message: "started") else {
            supervisor.stop(bot.id)
            throw OrchestratorError(.unknownBot, "bot \(bot.id) was deleted while starting")
        }
        await audit.record(AuditEvent("orchestrator.bot_started", actor: context.peerName, target: bot.id, detail: "owner \(bot.ownerId), \(bot.mode)"))
        return started
    }

    func stopBot(_ request: PB.GetBotRequest, context: ServerCallContext) async throws -> PB.Bot {
        let bot = try await bot(request.id)
        supervisor.stop(bot.id)
        guard let stopped = try await supervisor.record(bot.id, state: .stopped, desired: false, message: "stopped") else {
            throw OrchestratorError(.unknownBot, "no bot \(bot.id)")
        }
        await audit.record(AuditEvent("orchestrator.bot_stopped", actor: context.peerName, target: bot.id, detail: "owner \(bot.ownerId)"))
        return stopped
    }

    /// Stops and deletes the bot and its decisions (its orders and trades stay with execution).
    func deleteBot(_ request: PB.GetBotRequest, context: ServerCallContext) async throws -> PB.Empty {
        let id = try Self.uuid(request.id, "id")
        supervisor.stop(id)
        guard try await OrchestratorTables.deleteBot(id: id, store) else { throw OrchestratorError(.unknownBot, "no bot \(id)") }
        return PB.Empty()
    }

    /// The bot's state and last decision now, then every change until the caller goes away.
    func streamBotStatus(_ request: PB.GetBotRequest, context: ServerCallContext, writer: StreamWriter<PB.BotStatus>) async throws {
        let bot = try await bot(request.id)
        let updates = statuses.subscribe { $0.botId == bot.id }
        let last = try await OrchestratorTables.lastDecision(bot: bot.id, store)
        try await writer.write(PB.BotStatus(botId: bot.id, state: bot.state, tsNs: WallClock.nowNs, lastDecision: last, message: bot.lastError))
        for await status in updates { try await writer.write(status) }
    }

    func listDecisions(_ request: PB.ListDecisionsRequest, context: ServerCallContext) async throws -> PB.ListDecisionsResponse {
        let id = try await bot(request.botId).id
        let paging = try PageCursor.Paging(request.page, invalid: OrchestratorErrorCode.invalidArgument)
        let decisions = try await OrchestratorTables.decisions(bot: id, after: paging.after, limit: paging.fetch, store)
        let (page, info) = paging.page(decisions) { ($0.createdAtNs, $0.id) }
        return PB.ListDecisionsResponse(decisions: page, page: info)
    }

    // MARK: Analysis

    /// The strategy's decision on the newest closed bar (flat), with each consensus agent's vote,
    /// over market-data's candles through the live bots' driver; nothing is traded or stored.
    func analyze(_ request: PB.AnalyzeRequest, context: ServerCallContext) async throws -> PB.Decision {
        let timeframe = try Self.timeframe(request.timeframe)
        let instrument = try await peers.instrument(request.symbol)
        let strategy = try Strategy(try await SavedStrategies.resolve(request.strategy, owner: request.ownerId, store), instrument: instrument)
        let symbol = instrument.symbol
        let warmup = strategy.plan.warmup
        let wanted = max(settings.analyzeBars, warmup + 1)
        let candles = try await peers.candles(symbol, timeframe, newest: wanted, limit: settings.backtestMaxBars, atLeast: warmup + 1, fill: wanted)
        guard candles.count > warmup, let last = candles.last else {
            throw OrchestratorError(
                .notEnoughHistory, "\(symbol) has \(candles.count) closed \(timeframe) candles; the strategy needs \(warmup + 1) to warm up")
        }
        var live = LiveStrategy(plan: strategy.plan)
        var decision = StrategyDecision()
        for candle in candles { decision = live.next(PriceBar(candle), timeNs: candle.openTimeNs, position: .flat, entries: 0) }
        let explained = DecisionExplanation(decision, live, position: .flat)
        return PB.Decision(
            id: UUID().uuidString.lowercased(), symbol: symbol, timeframe: timeframe.wire, candleOpenTimeNs: last.openTimeNs, action: explained.action,
            confidence: explained.confidence, reasoning: explained.reasoning, opinions: explained.opinions, createdAtNs: WallClock.nowNs)
    }

    /// Runs the strategy over market-data's candles in the range with the one backtester and answers
    /// with the result (nothing stored; jobs are for stored runs).
    func runBacktest(_ request: PB.BacktestRequest, context: ServerCallContext) async throws -> PB.BacktestResult {
        let prepared = try await PreparedBacktest.load(request, peers: peers, settings: settings)
        return try await OffLoop.run { try prepared.run(id: UUID().uuidString.lowercased(), curvePoints: 2_000) }
    }

    // MARK: Jobs

    /// Checks the request as far as it can without data (strategy, ranges, search size) and queues
    /// it; the job, queued.
    func submitJob(_ request: PB.SubmitJobRequest, context: ServerCallContext) async throws -> PB.Job {
        let owner = request.ownerId.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        let now = WallClock.nowNs
        var job = PB.Job(id: UUID().uuidString.lowercased(), ownerId: owner, status: .queued, createdAtNs: now, updatedAtNs: now)
        switch (request.backtest, request.optimization) {
        case (var backtest?, nil):
            // A saved strategy is read now: the job runs the version current when it was submitted.
            backtest.strategy = try await SavedStrategies.resolve(backtest.strategy, owner: owner, store)
            let instrument = try await peers.instrument(backtest.symbol)
            _ = try PreparedBacktest.check(backtest, instrument: instrument)
            job.kind = .backtest
            job.backtest = backtest
        case (nil, var optimization?):
            var backtest = optimization.backtest ?? PB.BacktestRequest()
            backtest.strategy = try await SavedStrategies.resolve(backtest.strategy, owner: owner, store)
            optimization.backtest = backtest
            let instrument = try await peers.instrument(backtest.symbol)
            let (strategy, _, _) = try PreparedBacktest.check(backtest, instrument: instrument)
            _ = try PreparedOptimization.check(optimization, strategy: strategy, settings: settings)
            if strategy.plan.externalAgents.contains(.llm), settings.ai.endpoint != nil {
                throw OrchestratorError(
                    .invalidArgument,
                    "the strategy weighs the llm agent, which would ask the model about every bar of every trial; backtest it as a job, or optimise it with llm_weight 0")
            }
            job.kind = .optimization
            job.optimization = optimization
        default:
            throw OrchestratorError(.invalidArgument, "give exactly one of backtest and optimization")
        }
        try await OrchestratorTables.insert(job, store)
        jobs.notify()
        jobs.publish(job)
        return job
    }

    func getJob(_ request: PB.GetJobRequest, context: ServerCallContext) async throws -> PB.Job { try await ownedJob(request.id, request.ownerId) }

    func listJobs(_ request: PB.ListJobsRequest, context: ServerCallContext) async throws -> PB.ListJobsResponse {
        guard !request.ownerId.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        let paging = try PageCursor.Paging(request.page, invalid: OrchestratorErrorCode.invalidArgument)
        var jobs = try await OrchestratorTables.jobs(owner: request.ownerId, kind: request.kind, after: paging.after, limit: paging.fetch, store)
        // Lists carry status and summaries; an optimisation's full report is read one job at a time.
        for i in jobs.indices where jobs[i].kind == .optimization { jobs[i].resultJson = "" }
        let (page, info) = paging.page(jobs) { ($0.createdAtNs, $0.id) }
        return PB.ListJobsResponse(jobs: page, page: info)
    }

    /// Cancels a queued or running job (a running one stops at its next progress tick, keeping
    /// nothing); a finished job is answered unchanged.
    func cancelJob(_ request: PB.GetJobRequest, context: ServerCallContext) async throws -> PB.Job {
        var job = try await ownedJob(request.id, request.ownerId)
        guard job.status == .queued || job.status == .running else { return job }
        job.status = .cancelled
        job.updatedAtNs = WallClock.nowNs
        if try await OrchestratorTables.update(job, from: [.queued, .running], store) {
            jobs.publish(job)
            return job
        }
        return try await ownedJob(request.id, request.ownerId)
    }

    func deleteJob(_ request: PB.GetJobRequest, context: ServerCallContext) async throws -> PB.Empty {
        var job = try await ownedJob(request.id, request.ownerId)
        guard try await OrchestratorTables.deleteJob(id: job.id, store) else { throw OrchestratorError(.unknownJob, "no job \(job.id)") }
        // Whoever follows its progress sees it end.
        if job.status == .queued || job.status == .running {
            job.status = .cancelled
            job.updatedAtNs = WallClock.nowNs
            jobs.publish(job)
        }
        return PB.Empty()
    }

    func listJobTrades(_ request: PB.ListJobTradesRequest, context: ServerCallContext) async throws -> PB.ListJobTradesResponse {
        let result = try await finishedBacktest(request.id, request.ownerId)
        let limit = PageCursor.limit(request.page?.limit ?? 0)
        let start: Int
        if let cursor = request.page?.cursor, !cursor.isEmpty {
            guard let decoded = try PageCursor.decode(cursor, invalid: OrchestratorErrorCode.invalidArgument), decoded.time >= 0 else {
                throw OrchestratorError(.invalidArgument, "page.cursor is not one this service issued")
            }
            start = Int(decoded.time)
        } else {
            start = 0
        }
        let end = min(result.trades.count, start + limit)
        let more = end < result.trades.count
        return PB.ListJobTradesResponse(
            trades: start < end ? Array(result.trades[start..<end]) : [],
            page: PB.PageInfo(nextCursor: more ? PageCursor.encode(time: Int64(end), id: result.id) : "", hasMore: more), openTrade: result.openTrade)
    }

    func getJobEquity(_ request: PB.GetJobEquityRequest, context: ServerCallContext) async throws -> PB.GetJobEquityResponse {
        let result = try await finishedBacktest(request.id, request.ownerId)
        let points = request.points == 0 ? 1_000 : min(Int(request.points), 100_000)
        guard points >= 2 else { throw OrchestratorError(.invalidArgument, "points is \(request.points); ask for at least 2") }
        return PB.GetJobEquityResponse(points: StrategyBacktest.downsample(result.equityCurve, to: points))
    }

    /// The job `id` when `owner` owns it; anyone else's (or none) is not found, alike.
    private func ownedJob(_ id: String, _ owner: String) async throws -> PB.Job {
        let id = try Self.uuid(id, "id")
        guard !owner.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        guard let job = try await OrchestratorTables.job(id: id, store), job.ownerId == owner else {
            throw OrchestratorError(.unknownJob, "no job \(id)")
        }
        return job
    }

    /// The stored result of `owner`'s done backtest job `id`.
    private func finishedBacktest(_ id: String, _ owner: String) async throws -> PB.BacktestResult {
        let job = try await ownedJob(id, owner)
        guard job.kind == .backtest else { throw OrchestratorError(.invalidArgument, "job \(job.id) is an optimisation; trades and equity belong to backtests") }
        guard job.status == .done, let result = try await OrchestratorTables.backtest(id: job.id, store) else {
            throw OrchestratorError(.jobNotDone, "job \(job.id) is \(job.status.column); its trades and equity exist once it is done")
        }
        return result
    }

    // MARK: Saved strategies

    func saveStrategy(_ request: PB.SaveStrategyRequest, context: ServerCallContext) async throws -> PB.SavedStrategy {
        try await SavedStrategies.save(request, store)
    }

    func getSavedStrategy(_ request: PB.GetSavedStrategyRequest, context: ServerCallContext) async throws -> PB.SavedStrategy {
        try await SavedStrategies.get(request.id, version: request.version, owner: request.ownerId, store)
    }

    func listSavedStrategies(_ request: PB.ListSavedStrategiesRequest, context: ServerCallContext) async throws -> PB.ListSavedStrategiesResponse {
        guard !request.ownerId.isEmpty else { throw OrchestratorError(.invalidArgument, "owner_id is missing") }
        let paging = try PageCursor.Paging(request.page, invalid: OrchestratorErrorCode.invalidArgument)
        let rows = try await OrchestratorTables.savedStrategies(owner: request.ownerId, after: paging.after, limit: paging.fetch, store)
        let (page, info) = paging.page(rows) { ($0.createdAtNs, $0.id) }
        return PB.ListSavedStrategiesResponse(strategies: page, page: info)
    }

    // MARK: Helpers

    private func bot(_ id: String) async throws -> PB.Bot {
        let id = try Self.uuid(id, "id")
        guard let bot = try await OrchestratorTables.bot(id: id, store) else { throw OrchestratorError(.unknownBot, "no bot \(id)") }
        return bot
    }

    static func uuid(_ text: String, _ field: String) throws(OrchestratorError) -> String {
        guard let id = UUID(uuidString: text) else { throw OrchestratorError(.invalidArgument, "\(field) \"\(text.prefix(40))\" is not a UUID") }
        return id.uuidString.lowercased()
    }

    static func timeframe(_ wire: PB.Timeframe) throws(OrchestratorError) -> Timeframe {
        guard let timeframe = Timeframe(wire: wire) else {
            throw OrchestratorError(.invalidArgument, "timeframe is missing: one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return timeframe
    }
}
