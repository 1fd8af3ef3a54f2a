import Contract
import Foundation
import LanguageModels
import RPC
import ServiceKit
import Strategies
import Store
import TradingCore
import Wire

/// The chat assistant's RPC: the conversation read and answered (offline, or by the model with
/// tools), and bots proposed in it created only on the user's yes.
extension OrchestratorHandlers {

    /// Reads the conversation (stored, or the history given) and proposes a strategy; both sides are stored.
    func chat(_ request: PB.ChatRequest, context: ServerCallContext) async throws -> PB.ChatResponse {
        let message = request.message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !message.isEmpty else { throw OrchestratorError(.invalidArgument, "message is empty") }
        guard message.count <= 4_000 else { throw OrchestratorError(.invalidArgument, "message is \(message.count) characters; at most 4000") }
        let conversation = request.conversationId.isEmpty ? UUID().uuidString.lowercased() : try Self.uuid(request.conversationId, "conversation_id")
        // Someone else's conversation is not found, whoever asks: it is neither read nor added to.
        if !request.conversationId.isEmpty, let owner = try await OrchestratorTables.conversationOwner(conversation, store), owner != request.userId {
            throw OrchestratorError(.unknownConversation, "no conversation \(conversation)")
        }
        var history = request.history
        if history.isEmpty, !request.conversationId.isEmpty { history = try await OrchestratorTables.conversation(conversation, store) }
        let mayPropose = request.mayCreateBots && !request.accountId.isEmpty
        // A bot proposed last turn: a plain yes creates it, anything else drops it.
        if !request.conversationId.isEmpty, let pending = try await BotProposal.load(conversation: conversation, store) {
            try await BotProposal.drop(conversation: conversation, store)
            if mayPropose, BotProposal.confirms(message) {
                return try await createProposed(pending, request, conversation: conversation, turn: history.count, context: context)
            }
        }
        var answer = StrategyAssistant().answer(history.filter { $0.role == "user" }.map(\.content) + [message])
        if supervisor.trader.agents.llm.model == nil, mayPropose, StrategyAssistant.asksForBot(message), let document = answer.strategy?.document, !document.isEmpty {
            // Offline: the strategy read so far, proposed as a bot on the market the conversation named.
            if let symbol = answer.symbol {
                do {
                    let summary = try await proposeBot(
                        document: document, symbol: symbol, timeframe: answer.timeframe ?? "1h", name: "", conversation: conversation, user: request.userId)
                    answer.reply += "\nShall I create \(summary)? Answer yes to create it."
                } catch {
                    answer.reply += "\nI cannot make it a bot: \(RPCError.from(error).error.message)"
                }
            } else {
                answer.questions.append("Which market should the bot trade? For example “create the bot on BTC/USDT, 1 hour bars”.")
            }
        }
        if let model = supervisor.trader.agents.llm.model {
            let (peers, settings) = (self.peers, self.settings)
            var assistant = LLMStrategyAssistant(model: model) { document, symbol, timeframe in
                guard let frame = Timeframe(rawValue: timeframe) else { throw OrchestratorError(.invalidArgument, "no timeframe \(timeframe)") }
                let request = PB.BacktestRequest(symbol: symbol, timeframe: frame.wire, strategy: PB.StrategyConfig(document: document))
                let prepared = try await PreparedBacktest.load(request, peers: peers, settings: settings)
                return try await OffLoop.run { try prepared.run(id: UUID().uuidString.lowercased(), curvePoints: 2).metricsJson }
            }
            if mayPropose {
                let user = request.userId
                assistant.proposeBot = { document, symbol, timeframe, name in
                    try await self.proposeBot(document: document, symbol: symbol, timeframe: timeframe, name: name, conversation: conversation, user: user)
                }
            }
            let (modelAnswer, why) = await assistant.answer(history: history, message: message, user: request.userId)
            if let modelAnswer {
                answer = modelAnswer
            } else if let why {
                // Said plainly, and the offline reader answers meanwhile.
                answer.reply = "I cannot use the language model now: \(why). The offline assistant says:\n" + answer.reply
            }
        }
        let awaiting = try await BotProposal.load(conversation: conversation, store)?.summary ?? ""
        try await OrchestratorTables.append(
            [PB.ChatMessage(role: "user", content: message), PB.ChatMessage(role: "assistant", content: answer.reply)], conversation: conversation,
            user: request.userId, at: WallClock.nowNs, store)
        return PB.ChatResponse(
            conversationId: conversation, reply: answer.reply, proposedStrategy: answer.strategy, clarifyingQuestions: answer.questions,
            awaitingConfirmation: awaiting)
    }

    /// Checks a bot the assistant proposes (the market, the timeframe, the strategy compiled for
    /// the market) and keeps it for the user's yes; what the user is asked to confirm.
    private func proposeBot(document: String, symbol: String, timeframe: String, name: String, conversation: String, user: String) async throws -> String {
        guard let frame = Timeframe(rawValue: timeframe) else {
            throw OrchestratorError(.invalidArgument, "no timeframe \(timeframe): one of \(Timeframe.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let instrument = try await peers.instrument(symbol)
        let strategy = try Strategy(PB.StrategyConfig(document: document), instrument: instrument)
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let title = trimmed.isEmpty ? "\(instrument.symbol) \(strategy.name) \(frame)" : String(trimmed.prefix(100))
        let proposal = BotProposal(
            name: title, symbol: instrument.symbol, timeframe: frame, document: document,
            summary: "a paper bot “\(title)” trading \(instrument.symbol) on \(frame) candles with “\(strategy.name)”, created stopped")
        try await proposal.save(conversation: conversation, user: user, store)
        return proposal.summary
    }

    /// Creates the bot the user just confirmed (stopped, on their account), keyed by the
    /// conversation's turn so a retried message creates it once.
    private func createProposed(
        _ proposal: BotProposal, _ request: PB.ChatRequest, conversation: String, turn: Int, context: ServerCallContext
    ) async throws -> PB.ChatResponse {
        var reply: String
        var created: PB.Bot?
        do {
            let bot = try await createBot(
                PB.CreateBotRequest(
                    ownerId: request.userId, name: proposal.name, symbol: proposal.symbol, timeframe: proposal.timeframe.wire,
                    strategy: PB.StrategyConfig(document: proposal.document), mode: .paper, accountId: request.accountId,
                    requestId: "chat:\(conversation):\(turn)"),
                context: context)
            created = bot
            reply = "Created \(proposal.summary.replacingOccurrences(of: ", created stopped", with: "")) (bot \(bot.id)). It is stopped: start it when you are ready."
        } catch {
            reply = "I could not create the bot: \(RPCError.from(error).error.message)"
        }
        try await OrchestratorTables.append(
            [PB.ChatMessage(role: "user", content: request.message), PB.ChatMessage(role: "assistant", content: reply)], conversation: conversation,
            user: request.userId, at: WallClock.nowNs, store)
        return PB.ChatResponse(conversationId: conversation, reply: reply, createdBot: created)
    }
}
