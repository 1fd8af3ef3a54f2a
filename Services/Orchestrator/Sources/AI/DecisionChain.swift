import Contract
import Crypto
import Foundation
import LanguageModels
import Store
import TradingCore
import Wire

/// A bot's decisions as an append-only record, hash-chained per bot: each decision is stored with
/// its number in the bot's chain and SHA-256(previous hash ‖ the decision as taken ‖ its LLM call
/// as answered), in one transaction with the LLM call's row. What a decision led to (its order,
/// risk's answer) is filled in afterwards and is not hashed; a late LLM answer is kept beside the
/// hashed one. Changing or deleting a hashed decision breaks every hash after it.
enum DecisionChain {
    /// Stores `decision` (and what its LLM agent was shown and answered) at the end of its bot's
    /// chain; false when the bot already decided on this bar (another instance, a replayed bar).
    static func append(_ decision: PB.Decision, llm: DecisionLLMCall?, _ store: Store) async throws -> Bool {
        try await store.withTransaction { tx in
            try await tx.execute("SELECT pg_advisory_xact_lock(hashtext('decisions:' || \(decision.botId)))")
            let last = try await tx.query("SELECT seq, hash FROM decisions WHERE bot_id = \(decision.botId)::uuid AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1")
            let (seq, previous): (Int64, [UInt8]) = try last.first.map { (try $0.decode(at: 0) + 1, try $0.decode(SQLBytes.self, at: 1).bytes) } ?? (1, [])
            let hash = try Self.hash(decision, llm, after: previous)
            let inserted = try await tx.query("""
                INSERT INTO decisions (id, bot_id, candle_open_time_ns, created_at_ns, payload, seq, hash)
                VALUES (\(decision.id)::uuid, \(decision.botId)::uuid, \(decision.candleOpenTimeNs), \(decision.createdAtNs),
                        \(SQLBytes(try decision.encodedBytes())), \(seq), \(SQLBytes(hash)))
                ON CONFLICT (bot_id, candle_open_time_ns) DO NOTHING RETURNING id
                """)
            guard !inserted.isEmpty else { return false }
            if let llm { try await AITables.insert(llm, decision: decision.id, bot: decision.botId, at: decision.createdAtNs, tx) }
            return true
        }
    }

    /// SHA-256 of the previous hash, the decision as taken (without what it led to) and its LLM
    /// call, each part length-prefixed.
    static func hash(_ decision: PB.Decision, _ llm: DecisionLLMCall?, after previous: [UInt8]) throws -> [UInt8] {
        var taken = decision
        taken.orderId = ""
        taken.riskOutcome = nil
        var sha = SHA256()
        sha.update(data: previous)
        func part(_ bytes: [UInt8]) {
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { sha.update(bufferPointer: $0) }
            sha.update(data: bytes)
        }
        part(try taken.encodedBytes())
        if let c = llm {
            for text in [c.provider, c.model, c.system, c.prompt, c.response, c.outcome, c.cost.description] { part(Array(text.utf8)) }
            for n in [c.usage.inputTokens, c.usage.outputTokens, c.latencyMs] { withUnsafeBytes(of: Int64(n).bigEndian) { sha.update(bufferPointer: $0) } }
        }
        return Array(sha.finalize())
    }

    /// Recomputes the chains of `bot` (every bot's when empty).
    static func verify(bot: String, _ store: Store) async throws -> PB.DecisionChainCheck {
        let bots: [String] =
            bot.isEmpty
            ? try await store.query("SELECT DISTINCT bot_id::text FROM decisions WHERE seq IS NOT NULL ORDER BY 1").map { try $0.decode(at: 0) } : [bot]
        var check = PB.DecisionChainCheck(intact: true, bots: Int64(bots.count))
        for id in bots {
            var previous: [UInt8] = []
            var expected: Int64 = 1
            let rows = try await store.query("""
                SELECT d.seq, d.hash, d.payload, c.provider, c.model, c.system_prompt, c.prompt, c.response, c.input_tokens, c.output_tokens, c.cost::text,
                       c.latency_ms, c.outcome
                FROM decisions d LEFT JOIN decision_llm_calls c ON c.decision_id = d.id
                WHERE d.bot_id = \(id)::uuid AND d.seq IS NOT NULL ORDER BY d.seq
                """)
            for row in rows {
                let seq: Int64 = try row.decode(at: 0)
                let stored = try row.decode(SQLBytes.self, at: 1).bytes
                let decision = try PB.Decision(decoding: try row.decode(SQLBytes.self, at: 2).bytes)
                let llm: DecisionLLMCall? = try row.decodeIfPresent(String.self, at: 3).map { provider in
                    DecisionLLMCall(
                        provider: provider, model: try row.decode(at: 4), system: try row.decode(at: 5), prompt: try row.decode(at: 6), response: try row.decode(at: 7),
                        usage: LLMUsage(inputTokens: try row.decode(at: 8), outputTokens: try row.decode(at: 9)), cost: try FixedDecimal(parsing: try row.decode(String.self, at: 10)),
                        latencyMs: try row.decode(at: 11), outcome: try row.decode(at: 12))
                }
                let problem: String? =
                    seq != expected
                    ? "decision \(expected) of bot \(id) is missing (the next kept is \(seq))"
                    : (try Self.hash(decision, llm, after: previous) != stored ? "decision \(seq) of bot \(id) (\(decision.id)) was changed after it was taken" : nil)
                if let problem {
                    check.intact = false
                    check.brokenBotId = id
                    check.firstBrokenSeq = min(seq, expected)
                    check.message = problem
                    return check
                }
                previous = stored
                expected += 1
                check.decisions += 1
            }
        }
        check.message = "\(check.decisions) decisions of \(check.bots) bots: every chain is intact"
        return check
    }

    /// One decision (of `bot`, or of whichever bot when empty) with its LLM call and its place in the chain.
    static func record(bot: String, decision id: String, _ store: Store) async throws -> PB.DecisionRecord? {
        let rows =
            bot.isEmpty
            ? try await store.query("SELECT payload, COALESCE(seq, 0), COALESCE(encode(hash, 'hex'), '') FROM decisions WHERE id = \(id)::uuid")
            : try await store.query("""
                SELECT payload, COALESCE(seq, 0), COALESCE(encode(hash, 'hex'), '') FROM decisions WHERE bot_id = \(bot)::uuid AND id = \(id)::uuid
                """)
        guard let row = rows.first else { return nil }
        var record = PB.DecisionRecord(
            decision: try PB.Decision(decoding: try row.decode(SQLBytes.self, at: 0).bytes), seq: try row.decode(at: 1), hash: try row.decode(at: 2))
        if let call = try await AITables.llmCall(decision: id, store) {
            record.llmCall = PB.LLMCall(
                provider: call.provider, model: call.model, systemPrompt: call.system, prompt: call.prompt, response: call.response,
                inputTokens: Int64(call.usage.inputTokens), outputTokens: Int64(call.usage.outputTokens), cost: call.cost.wire, latencyMs: Int64(call.latencyMs),
                outcome: call.outcome, lateResponse: call.lateResponse ?? "", lateLatencyMs: Int64(call.lateLatencyMs ?? 0))
        }
        return record
    }
}
