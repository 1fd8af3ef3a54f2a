import Contract
import Foundation
import LanguageModels
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

extension OrchestratorHandlers {
    /// What the model calls of a user (or everyone's) cost over the last days, with the limits.
    func getAiUsage(_ request: PB.GetAIUsageRequest, context: ServerCallContext) async throws -> PB.AIUsage {
        guard request.allUsers || !request.userId.isEmpty else { throw OrchestratorError(.invalidArgument, "user_id is missing (or ask for all_users)") }
        guard request.days <= 90 else { throw OrchestratorError(.invalidArgument, "days is \(request.days); ask for 1 to 90 days") }
        let days = request.days == 0 ? 7 : Int(request.days)
        let today = Int(Date().timeIntervalSince1970 / 86_400)
        let first = today - days + 1
        let all = request.allUsers, user = request.userId
        let rows = try await store.query(
            all
                ? """
                SELECT day, user_id, provider, model, purpose, count(*), count(*) FILTER (WHERE outcome <> 'ok'), sum(input_tokens), sum(output_tokens),
                       sum(cost)::text
                FROM ai_usage WHERE day >= \(first) GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 DESC, 2, 3, 4, 5
                """
                : """
                SELECT day, '', provider, model, purpose, count(*), count(*) FILTER (WHERE outcome <> 'ok'), sum(input_tokens), sum(output_tokens),
                       sum(cost)::text
                FROM ai_usage WHERE day >= \(first) AND user_id = \(user) GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 DESC, 2, 3, 4, 5
                """)
        var usage = PB.AIUsage(
            provider: settings.ai.provider ?? "", model: settings.ai.endpoint?.model ?? "", botDailyLimit: settings.ai.limits.botDaily.wire,
            userDailyLimit: settings.ai.limits.userDaily.wire, platformDailyLimit: settings.ai.limits.platformDaily.wire,
            callTokenLimit: UInt32(settings.ai.limits.callTokens))
        var spent = FixedDecimal.zero
        for r in rows {
            let day: Int = try r.decode(at: 0)
            let cost = try FixedDecimal(parsing: try r.decode(String.self, at: 9))
            if day == today { spent = try spent + cost }
            let (y, m, d) = CivilDate.civil(fromDays: day)
            usage.rows.append(PB.AIUsageRow(
                date: String(format: "%04d-%02d-%02d", y, m, d), userId: try r.decode(at: 1), provider: try r.decode(at: 2), model: try r.decode(at: 3),
                purpose: try r.decode(at: 4), calls: try r.decode(at: 5), failedCalls: try r.decode(at: 6), inputTokens: try r.decode(at: 7),
                outputTokens: try r.decode(at: 8), cost: cost.wire))
        }
        usage.spentToday = spent.wire
        return usage
    }

    /// One decision with its LLM call and its place in the chain.
    func getDecision(_ request: PB.GetDecisionRequest, context: ServerCallContext) async throws -> PB.DecisionRecord {
        let bot = request.botId.isEmpty ? "" : try Self.uuid(request.botId, "bot_id"), id = try Self.uuid(request.decisionId, "decision_id")
        guard let record = try await DecisionChain.record(bot: bot, decision: id, store) else {
            throw OrchestratorError(.unknownDecision, bot.isEmpty ? "no decision \(id)" : "bot \(bot) has no decision \(id)")
        }
        return record
    }

    /// Re-runs a decision's agents on what they saw (the llm agent from its answer, or live).
    func replayDecision(_ request: PB.ReplayDecisionRequest, context: ServerCallContext) async throws -> PB.DecisionReplay {
        let id = try Self.uuid(request.decisionId, "decision_id")
        guard let record = try await DecisionChain.record(bot: "", decision: id, store) else { throw OrchestratorError(.unknownDecision, "no decision \(id)") }
        if request.live, request.userId.isEmpty { throw OrchestratorError(.invalidArgument, "a live replay asks the model: give user_id, whose budget pays") }
        return await DecisionReplay.replay(record, live: request.live, agents: supervisor.trader.agents, user: request.userId)
    }

    /// Recomputes one bot's decision chain, or every bot's.
    func verifyDecisions(_ request: PB.VerifyDecisionsRequest, context: ServerCallContext) async throws -> PB.DecisionChainCheck {
        try await DecisionChain.verify(bot: request.botId.isEmpty ? "" : try Self.uuid(request.botId, "bot_id"), store)
    }
}
