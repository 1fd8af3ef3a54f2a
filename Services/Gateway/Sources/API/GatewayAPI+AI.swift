import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import Wire

extension GatewayAPI {
    var aiRoutes: [Route] {
        [
            Route(
                method: .get, path: "/api/ai/usage", answers: .of(AIUsageView.self), role: .viewer,
                summary: "What your model calls cost by day, provider, model and purpose, with today's spend and the limits (`all=true`: every user's, admins only)",
                query: ["days", "all"]
            ) { request, _, p in
                let all = request.uri.queryParameters.get("all")
                guard all == nil || all == "true" || all == "false" else {
                    throw APIError(.badRequest, "request.invalid_field", "all \"\(all!.prefix(12))\" must be true or false")
                }
                if all == "true", p.role != .admin {
                    throw APIError(.forbidden, "gateway.forbidden", "every user's AI usage is for admins; leave out all=true to see your own")
                }
                let days = try QueryParameters.integer("days", request, path: "/api/ai/usage") ?? 7
                let usage = try await peers.orchestratorClient().getAiUsage(PB.GetAIUsageRequest(userId: p.userId, allUsers: all == "true", days: UInt32(days)))
                return try JSONBody.response(AIUsageView(usage))
            },
            Route(
                method: .post, path: "/api/decisions/{id}/replay", answers: .of(DecisionReplayView.self), role: .viewer,
                summary: "Re-run one of your bots' decisions: its agents on what they saw, the LLM from its stored answer or asked again (`live`: true, charged to you); what differs",
                body: ["live": "boolean"]
            ) { request, context, p in
                let id = try parameter("id", context)
                struct Body: Decodable { var live: Bool? }
                let data = try await JSONBody.data(from: request)
                let live = data.isEmpty ? false : (try JSONBody.decode(Body.self, from: data).live ?? false)
                let orchestrator = try peers.orchestratorClient()
                let record = try await orchestrator.getDecision(PB.GetDecisionRequest(decisionId: id))
                _ = try await ownedBot(record.decision?.botId ?? "", p)
                let replay = try await orchestrator.replayDecision(PB.ReplayDecisionRequest(decisionId: id, live: live, userId: p.userId))
                return try JSONBody.response(DecisionReplayView(replay))
            },
        ]
    }
}

/// `GET /api/ai/usage`: the configured model, today's spend, the limits, and the calls by day.
struct AIUsageView: Encodable {
    /// The configured provider and model; empty when none is (agents abstain, the assistant is offline).
    var provider, model: String
    /// US dollars, exact decimals.
    var spentToday: String
    var limits: Limits
    var days: [Row]

    struct Limits: Encodable {
        var callTokens: UInt32
        var botDaily, userDaily, platformDaily: String
    }

    struct Row: Encodable {
        var date: String
        /// Set only with `all=true`.
        var userId: String?
        var provider, model, purpose: String
        var calls, failedCalls, inputTokens, outputTokens: Int64
        var cost: String
    }

    init(_ u: PB.AIUsage) {
        (provider, model, spentToday) = (u.provider, u.model, decimalText(u.spentToday))
        limits = Limits(
            callTokens: u.callTokenLimit, botDaily: decimalText(u.botDailyLimit), userDaily: decimalText(u.userDailyLimit),
            platformDaily: decimalText(u.platformDailyLimit))
        days = u.rows.map {
            Row(
                date: $0.date, userId: $0.userId.isEmpty ? nil : $0.userId, provider: $0.provider, model: $0.model, purpose: $0.purpose, calls: $0.calls,
                failedCalls: $0.failedCalls, inputTokens: $0.inputTokens, outputTokens: $0.outputTokens, cost: decimalText($0.cost))
        }
    }
}

/// `POST /api/decisions/{id}/replay`.
struct DecisionReplayView: Encodable {
    var decisionId, botId, summary: String
    var live, differs: Bool
    var storedScore, replayedScore: Double
    var agents: [Agent]

    struct Agent: Encodable {
        var agent: String
        var differs: Bool
        var stored, replayed: OpinionView
    }

    init(_ r: PB.DecisionReplay) {
        (decisionId, botId, summary, live, differs, storedScore, replayedScore) = (r.decisionId, r.botId, r.summary, r.live, r.differs, r.storedScore, r.replayedScore)
        func view(_ o: PB.AgentOpinion?) -> OpinionView {
            let o = o ?? PB.AgentOpinion()
            return OpinionView(agent: o.agent, action: actionWord(o.action), reasoning: o.reasoning, confidence: o.confidence, weight: o.weight)
        }
        agents = r.agents.map { Agent(agent: $0.agent, differs: $0.differs, stored: view($0.stored), replayed: view($0.replayed)) }
    }
}

/// `GET /api/bots/{id}/decisions/{decision_id}`.
struct DecisionRecordView: Encodable {
    var decision: DecisionView
    /// Absent when the strategy weighs no LLM agent.
    var llmCall: LLMCallView?
    /// Its number in the bot's hash chain (0 before chaining) and its SHA-256, hex.
    var seq: Int64
    var hash: String

    struct LLMCallView: Encodable {
        var provider, model, systemPrompt, prompt, response, outcome: String
        var inputTokens, outputTokens, latencyMs: Int64
        /// US dollars.
        var cost: String
        /// An answer that came after the decision was taken: recorded, not acted on.
        var lateResponse: String?
    }

    init(_ r: PB.DecisionRecord) {
        decision = DecisionView(r.decision ?? PB.Decision())
        (seq, hash) = (r.seq, r.hash)
        llmCall = r.llmCall.map { c in
            LLMCallView(
                provider: c.provider, model: c.model, systemPrompt: c.systemPrompt, prompt: c.prompt, response: c.response, outcome: c.outcome,
                inputTokens: c.inputTokens, outputTokens: c.outputTokens, latencyMs: c.latencyMs, cost: decimalText(c.cost),
                lateResponse: c.lateResponse.isEmpty ? nil : c.lateResponse)
        }
    }
}
