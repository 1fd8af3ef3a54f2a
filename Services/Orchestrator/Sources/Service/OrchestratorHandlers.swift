import Bus
import Contract
import Foundation
import Indicators
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
    let settings: OrchestratorSettings
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
        let strategy = try Strategy(request.strategy, risk: risk, instrument: instrument)
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
            bot.strategy = try Strategy(request.strategy ?? bot.strategy, risk: risk, instrument: instrument).config
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
        return started
    }

    func stopBot(_ request: PB.GetBotRequest, context: ServerCallContext) async throws -> PB.Bot {
        let bot = try await bot(request.id)
        supervisor.stop(bot.id)
        guard let stopped = try await supervisor.record(bot.id, state: .stopped, desired: false, message: "stopped") else {
            throw OrchestratorError(.unknownBot, "no bot \(bot.id)")
        }
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
        let strategy = try Strategy(request.strategy, instrument: instrument)
        let symbol = instrument.symbol
        let warmup = strategy.plan.warmup
        let wanted = max(settings.analyzeBars, warmup + 1)
        var candles = try await peers.candles(symbol, timeframe, newest: wanted, limit: settings.backtestMaxBars)
        // A series nobody has watched yet: market-data fills it from its feed's history, once.
        if candles.count <= warmup, try await peers.backfill(symbol, timeframe, bars: wanted) {
            candles = try await peers.candles(symbol, timeframe, newest: wanted, limit: settings.backtestMaxBars)
        }
        guard candles.count > warmup, let last = candles.last else {
            throw OrchestratorError(
                .notEnoughHistory, "\(symbol) has \(candles.count) closed \(timeframe) candles; the strategy needs \(warmup + 1) to warm up")
        }
        var live = LiveStrategy(plan: strategy.plan)
        var decision = StrategyDecision()
        for candle in candles { decision = live.next(PriceBar(candle), position: .flat, entries: 0) }
        let explained = DecisionExplanation(decision, live, position: .flat)
        return PB.Decision(
            id: UUID().uuidString.lowercased(), symbol: symbol, timeframe: timeframe.wire, candleOpenTimeNs: last.openTimeNs, action: explained.action,
            confidence: explained.confidence, reasoning: explained.reasoning, opinions: explained.opinions, createdAtNs: WallClock.nowNs)
    }

    /// Runs the strategy over market-data's candles in the range with the one backtester, and
    /// stores the result.
    func runBacktest(_ request: PB.BacktestRequest, context: ServerCallContext) async throws -> PB.BacktestResult {
        let timeframe = try Self.timeframe(request.timeframe)
        let risk = try BotRisk(request.risk)
        let cash = FixedDecimal(wire: request.initialCash).isZero ? FixedDecimal(raw: 100_000 * FixedDecimal.unitsPerOne) : FixedDecimal(wire: request.initialCash)
        guard cash > .zero else { throw OrchestratorError(.invalidArgument, "initial_cash must be positive") }
        guard request.feeRate.isFinite, (0..<0.1).contains(request.feeRate) else {
            throw OrchestratorError(.invalidArgument, "fee_rate is \(request.feeRate); give a fraction of notional below 0.1, e.g. 0.001")
        }
        guard request.slippageBps.isFinite, (0...1_000).contains(request.slippageBps) else {
            throw OrchestratorError(.invalidArgument, "slippage_bps is \(request.slippageBps); give 0 to 1000")
        }
        if let range = request.range, range.toNs != 0, range.toNs <= range.fromNs {
            throw OrchestratorError(.invalidArgument, "range.to_ns must be after range.from_ns")
        }
        let instrument = try await peers.instrument(request.symbol)
        let strategy = try Strategy(request.strategy, risk: risk, instrument: instrument) { document in
            // The request's costs, where given, replace the document's assumptions.
            if request.feeRate > 0 { document.execution.feeBps = request.feeRate * 10_000 }
            if request.slippageBps > 0 { document.execution.slippageBps = request.slippageBps }
        }
        let symbol = instrument.symbol
        let candles = try await peers.candles(symbol, timeframe, range: request.range, limit: settings.backtestMaxBars)
        let series = try StrategyBacktest.series(candles)
        guard series.count > strategy.plan.warmup else {
            throw OrchestratorError(
                .notEnoughHistory,
                "\(symbol) has \(series.count) closed \(timeframe) candles in the range; the strategy needs \(strategy.plan.warmup + 1) to warm up")
        }
        let outcome = try StrategyBacktest.run(strategy, series, cash: cash, calendar: TradingCalendar(instrument.assetClass))
        var echoed = request
        echoed.symbol = symbol
        echoed.strategy = strategy.config
        echoed.risk = risk.wire
        echoed.initialCash = cash.wire
        let result = StrategyBacktest.wire(outcome, strategy, series, request: echoed, id: UUID().uuidString.lowercased(), now: WallClock.nowNs)
        try await OrchestratorTables.insert(result, store)
        return result
    }

    func getBacktest(_ request: PB.GetBacktestRequest, context: ServerCallContext) async throws -> PB.BacktestResult {
        let id = try Self.uuid(request.id, "id")
        guard let result = try await OrchestratorTables.backtest(id: id, store) else { throw OrchestratorError(.unknownBacktest, "no backtest \(id)") }
        return result
    }

    // MARK: Chat

    /// Reads the conversation (stored, or the history given) and proposes a strategy; both sides are stored.
    func chat(_ request: PB.ChatRequest, context: ServerCallContext) async throws -> PB.ChatResponse {
        let message = request.message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { throw OrchestratorError(.invalidArgument, "message is empty") }
        guard message.count <= 4_000 else { throw OrchestratorError(.invalidArgument, "message is \(message.count) characters; at most 4000") }
        let conversation = request.conversationId.isEmpty ? UUID().uuidString.lowercased() : try Self.uuid(request.conversationId, "conversation_id")
        var history = request.history
        if history.isEmpty, !request.conversationId.isEmpty { history = try await OrchestratorTables.conversation(conversation, store) }
        let answer = StrategyAssistant().answer(history.filter { $0.role == "user" }.map(\.content) + [message])
        try await OrchestratorTables.append(
            [PB.ChatMessage(role: "user", content: message), PB.ChatMessage(role: "assistant", content: answer.reply)], conversation: conversation,
            user: request.userId, at: WallClock.nowNs, store)
        return PB.ChatResponse(conversationId: conversation, reply: answer.reply, proposedStrategy: answer.strategy, clarifyingQuestions: answer.questions)
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
