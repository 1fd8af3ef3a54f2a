import LanguageModels
import Store
import TradingCore

/// The budgets' ledger in the orchestrator's schema (`ai_usage`): every model call, so that a
/// restarted orchestrator still knows what today's calls cost.
struct PostgresUsageLedger: LLMUsageLedger {
    let store: Store

    func spent(day: Int, scope: LLMBudget.Scope) async throws -> FixedDecimal {
        let sql: SQL =
            switch scope {
            case .platform: "SELECT COALESCE(SUM(cost), 0)::text FROM ai_usage WHERE day = \(day)"
            case .user(let user): "SELECT COALESCE(SUM(cost), 0)::text FROM ai_usage WHERE day = \(day) AND user_id = \(user)"
            case .bot(let bot): "SELECT COALESCE(SUM(cost), 0)::text FROM ai_usage WHERE day = \(day) AND bot_id = \(bot)"
            }
        let text: String = try await store.query(sql).first?.decode(at: 0) ?? "0"
        return try FixedDecimal(parsing: text)
    }

    func record(_ r: LLMUsageRecord) async throws {
        try await store.execute("""
            INSERT INTO ai_usage (day, at_ms, user_id, bot_id, provider, model, purpose, input_tokens, output_tokens, cost, latency_ms, outcome)
            VALUES (\(Int(r.at / 86_400_000)), \(r.at), \(r.user), \(r.bot), \(r.provider), \(r.model), \(r.purpose), \(r.usage.inputTokens),
                    \(r.usage.outputTokens), \(r.cost.description)::numeric, \(r.latencyMs), \(r.outcome))
            """)
    }
}

/// What a bot's LLM agent was shown and answered for one decision.
struct DecisionLLMCall: Sendable {
    var provider: String
    var model: String
    var system: String
    var prompt: String
    var response: String
    var usage: LLMUsage
    var cost: FixedDecimal
    var latencyMs: Int
    /// `voted`, or the abstention's reason code.
    var outcome: String
    /// An answer that came after the decision was taken (kept beside the hashed record).
    var lateResponse: String?
    var lateLatencyMs: Int?
}

enum AITables {
    /// The call as it stood when the decision was taken (hashed into the decision chain with it).
    static func insert(_ call: DecisionLLMCall, decision: String, bot: String, at ns: Int64, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO decision_llm_calls (decision_id, bot_id, provider, model, system_prompt, prompt, response, input_tokens, output_tokens, cost,
                                            latency_ms, outcome, late, created_at_ns)
            VALUES (\(decision)::uuid, \(bot)::uuid, \(call.provider), \(call.model), \(call.system), \(call.prompt), \(call.response),
                    \(call.usage.inputTokens), \(call.usage.outputTokens), \(call.cost.description)::numeric, \(call.latencyMs), \(call.outcome),
                    false, \(ns))
            """)
    }

    /// An answer that came after its decision: kept beside the hashed record, not acted on.
    static func recordLate(_ call: DecisionLLMCall, decision: String, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            UPDATE decision_llm_calls SET late = true, late_response = \(call.response), late_latency_ms = \(call.latencyMs)
            WHERE decision_id = \(decision)::uuid
            """)
    }

    static func llmCall(decision: String, _ db: some SQLQuerying) async throws -> DecisionLLMCall? {
        let rows = try await db.query("""
            SELECT provider, model, system_prompt, prompt, response, input_tokens, output_tokens, cost::text, latency_ms, outcome, late_response, late_latency_ms
            FROM decision_llm_calls WHERE decision_id = \(decision)::uuid
            """)
        return try rows.first.map { r in
            DecisionLLMCall(
                provider: try r.decode(at: 0), model: try r.decode(at: 1), system: try r.decode(at: 2), prompt: try r.decode(at: 3), response: try r.decode(at: 4),
                usage: LLMUsage(inputTokens: try r.decode(at: 5), outputTokens: try r.decode(at: 6)), cost: try FixedDecimal(parsing: try r.decode(String.self, at: 7)),
                latencyMs: try r.decode(at: 8), outcome: try r.decode(at: 9), lateResponse: try r.decodeIfPresent(at: 10), lateLatencyMs: try r.decodeIfPresent(at: 11))
        }
    }
}
