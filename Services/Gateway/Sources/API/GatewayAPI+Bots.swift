import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import TradingCore
import Wire

extension GatewayAPI {
    struct BotRequest: Decodable {
        var name: String?
        var symbol: String
        var timeframe: String?
        var strategy: StrategyView?
        var mode: String?
        var risk: RiskView?
        var requestId: String?
    }

    struct AnalyzeRequest: Decodable {
        var symbol: String
        var timeframe: String?
        var strategy: StrategyView?
    }

    struct ChatRequest: Decodable {
        var message: String
        var conversationId: String?
    }

    var botRoutes: [Route] {
        [
            Route(method: .get, path: "/api/bots", answers: .list("bots", of: BotView.self), role: .viewer, summary: "Your bots (an admin sees everyone's)") { _, _, p in
                let bots = try await peers.orchestratorClient().listBots(PB.ListBotsRequest(ownerId: p.role == .admin ? "" : p.userId, page: PB.PageRequest(limit: 1000)))
                return try JSONBody.response(["bots": bots.bots.map(BotView.init)])
            },
            Route(
                method: .post, path: "/api/bots", answers: .of(BotView.self), role: .trader, summary: "Create a paper bot (stopped) on your account",
                body: ["name": "string", "symbol": "string!", "timeframe": "string", "strategy": "object", "mode": "string", "risk": "object", "request_id": "string"],
                success: .created
            ) { request, _, p in
                let data = try await JSONBody.data(from: request)
                var body = try JSONBody.decode(BotRequest.self, from: data)
                body.strategy?.document = try StrategyView.document(in: data)
                if let name = body.name {
                    try BodyFields.check(name, field: "name", pattern: BodyFields.text, maxLength: BodyFields.botNameLength, what: "text without NUL")
                }
                guard body.mode == nil || body.mode == "paper" else {
                    throw APIError(.unprocessableContent, "orchestrator.unsupported_mode", "mode \"\(body.mode!.prefix(20))\": only paper bots can run here")
                }
                let bot = try await peers.orchestratorClient().createBot(PB.CreateBotRequest(
                    ownerId: p.userId, name: body.name ?? "", symbol: body.symbol, timeframe: try timeframe(body.timeframe).wire, strategy: body.strategy?.wire,
                    mode: .paper, accountId: p.accountId, risk: try body.risk?.wire(), requestId: body.requestId ?? ""))
                return try JSONBody.response(BotView(bot), status: .created)
            },
            Route(method: .get, path: "/api/bots/{id}", answers: .of(BotView.self), role: .viewer, summary: "One of your bots") { _, context, p in
                try JSONBody.response(BotView(try await ownedBot(try parameter("id", context), p)))
            },
            Route(method: .post, path: "/api/bots/{id}/start", answers: .of(BotView.self), role: .trader, summary: "Start a bot (it resumes after restarts until stopped)") { _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                return try JSONBody.response(BotView(try await peers.orchestratorClient().startBot(PB.GetBotRequest(id: bot.id))))
            },
            Route(method: .post, path: "/api/bots/{id}/stop", answers: .of(BotView.self), role: .trader, summary: "Stop a bot") { _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                return try JSONBody.response(BotView(try await peers.orchestratorClient().stopBot(PB.GetBotRequest(id: bot.id))))
            },
            Route(method: .delete, path: "/api/bots/{id}", role: .trader, summary: "Stop and delete a bot (its orders and trades stay)", success: .noContent) { _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                _ = try await peers.orchestratorClient().deleteBot(PB.GetBotRequest(id: bot.id))
                return Response(status: .noContent)
            },
            Route(method: .get, path: "/api/bots/{id}/decisions", answers: .list("decisions", of: DecisionView.self), role: .viewer, summary: "A bot's decisions, newest first") { _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                let page = try await peers.orchestratorClient().listDecisions(PB.ListDecisionsRequest(botId: bot.id, page: PB.PageRequest(limit: 200)))
                return try JSONBody.response(["decisions": page.decisions.map(DecisionView.init)])
            },
            Route(
                method: .get, path: "/api/bots/{id}/decisions/{decision_id}", answers: .of(DecisionRecordView.self), role: .viewer,
                summary: "One decision with everything kept of it: each agent's vote, the LLM agent's prompt, answer, tokens and cost, and its place in the bot's hash chain"
            ) { _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                let record = try await peers.orchestratorClient().getDecision(PB.GetDecisionRequest(botId: bot.id, decisionId: try parameter("decision_id", context)))
                return try JSONBody.response(DecisionRecordView(record))
            },
            Route(method: .get, path: "/api/bots/{id}/status-stream", answers: .events("status", of: BotStatusEvent.self), role: .viewer, summary: "Server-Sent Events: the bot's state and each decision") {
                _, context, p in
                let bot = try await ownedBot(try parameter("id", context), p)
                let stream = try peers.orchestratorClient().streamBotStatus(PB.GetBotRequest(id: bot.id))
                let body = ResponseBody { writer in
                    for try await status in stream {
                        let event = BotStatusEvent(
                            botId: status.botId, state: botState(status.state), message: status.message, timestamp: UnixMillis(nanoseconds: status.tsNs),
                            lastDecision: status.lastDecision.map(DecisionView.init))
                        let json = String(decoding: try JSONBody.encoder.encode(event), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "event: status\ndata: \(json)\n\n"))
                    }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
            },
            Route(
                method: .post, path: "/api/analyze", answers: .of(DecisionView.self), role: .viewer, summary: "A strategy's decision on a symbol's latest bar now, with each agent's vote (no trading)",
                body: ["symbol": "string!", "timeframe": "string", "strategy": "object"]
            ) { request, _, p in
                let data = try await JSONBody.data(from: request)
                var body = try JSONBody.decode(AnalyzeRequest.self, from: data)
                body.strategy?.document = try StrategyView.document(in: data)
                let decision = try await peers.orchestratorClient().analyze(PB.AnalyzeRequest(
                    symbol: body.symbol, timeframe: try timeframe(body.timeframe).wire, strategy: body.strategy?.wire, ownerId: p.userId))
                return try JSONBody.response(DecisionView(decision))
            },
            Route(
                method: .post, path: "/api/chat", answers: .of(ChatView.self), role: .viewer,
                summary: "Describe a strategy in plain words; get one proposed, or questions. A trader may be offered a bot, created only when they answer yes",
                body: ["message": "string!", "conversation_id": "string"]
            ) { request, _, p in
                let body = try await JSONBody.decode(ChatRequest.self, from: request)
                try BodyFields.check(
                    body.message, field: "message", pattern: BodyFields.chatMessage, maxLength: BodyFields.chatMessageLength,
                    what: "text with more than white space, without NUL")
                let reply = try await peers.orchestratorClient().chat(PB.ChatRequest(
                    userId: p.userId, conversationId: body.conversationId ?? "", message: body.message, accountId: p.accountId, mayCreateBots: p.role >= .trader))
                return try JSONBody.response(ChatView(
                    conversationId: reply.conversationId, reply: reply.reply, proposedStrategy: reply.proposedStrategy.map(StrategyView.init),
                    clarifyingQuestions: reply.clarifyingQuestions, createdBot: reply.createdBot.map(BotView.init),
                    awaitingConfirmation: reply.awaitingConfirmation.isEmpty ? nil : reply.awaitingConfirmation))
            },
        ]
    }

    /// The bot `id` when `p` may see it (its owner, or an admin); otherwise not found.
    func ownedBot(_ id: String, _ p: Principal) async throws -> PB.Bot {
        let bot = try await peers.orchestratorClient().getBot(PB.GetBotRequest(id: id))
        guard bot.ownerId == p.userId || p.role == .admin else { throw APIError(.notFound, "orchestrator.unknown_bot", "no bot \(id)") }
        return bot
    }
}

struct BotStatusEvent: Encodable {
    var botId, state, message: String
    var timestamp: UnixMillis
    var lastDecision: DecisionView?
}

struct ChatView: Encodable {
    var conversationId, reply: String
    var proposedStrategy: StrategyView?
    var clarifyingQuestions: [String]
    /// The bot this message created (after the user confirmed it).
    var createdBot: BotView?
    /// A proposed bot in words, created if the next message is a yes.
    var awaitingConfirmation: String?
}
