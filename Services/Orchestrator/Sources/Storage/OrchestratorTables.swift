import Contract
import Store
import Wire

/// The `bots`, `decisions`, `backtests` and `chat_messages` tables.
enum OrchestratorTables {
    // MARK: Bots

    /// Inserts `bot`; false when the owner already has a bot with `requestId` (the caller reads that one).
    static func insert(_ bot: PB.Bot, requestId: String, _ db: some SQLQuerying) async throws -> Bool {
        let rows = try await db.query("""
            INSERT INTO bots (id, owner_id, request_id, desired_running, created_at_ns, payload)
            VALUES (\(bot.id)::uuid, \(bot.ownerId), \(requestId), \(bot.desiredRunning), \(bot.createdAtNs), \(SQLBytes(try bot.encodedBytes())))
            ON CONFLICT (owner_id, request_id) WHERE request_id <> '' DO NOTHING RETURNING id
            """)
        return !rows.isEmpty
    }

    static func update(_ bot: PB.Bot, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            UPDATE bots SET desired_running = \(bot.desiredRunning), payload = \(SQLBytes(try bot.encodedBytes())) WHERE id = \(bot.id)::uuid
            """)
    }

    static func bot(id: String, forUpdate: Bool = false, _ db: some SQLQuerying) async throws -> PB.Bot? {
        let rows = try await db.query(forUpdate
            ? "SELECT payload FROM bots WHERE id = \(id)::uuid FOR UPDATE" : "SELECT payload FROM bots WHERE id = \(id)::uuid")
        return try rows.first.map { try PB.Bot(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    static func bot(owner: String, requestId: String, _ db: some SQLQuerying) async throws -> PB.Bot? {
        let rows = try await db.query("SELECT payload FROM bots WHERE owner_id = \(owner) AND request_id = \(requestId)")
        return try rows.first.map { try PB.Bot(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    /// A page of bots, newest first; every owner's when `owner` is empty.
    static func bots(owner: String, after: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying) async throws -> [PB.Bot] {
        let time = after?.time ?? Int64.max, id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        let rows = try await db.query("""
            SELECT payload FROM bots WHERE (\(owner) = '' OR owner_id = \(owner)) AND (created_at_ns, id) < (\(time), \(id)::uuid)
            ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """)
        return try rows.map { try PB.Bot(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    static func botsToResume(_ db: some SQLQuerying) async throws -> [PB.Bot] {
        try await db.query("SELECT payload FROM bots WHERE desired_running ORDER BY created_at_ns")
            .map { try PB.Bot(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    static func deleteBot(id: String, _ db: some SQLQuerying) async throws -> Bool {
        !(try await db.query("DELETE FROM bots WHERE id = \(id)::uuid RETURNING id")).isEmpty
    }

    // MARK: Decisions

    /// Inserts `decision`; false when the bot already decided on that bar.
    static func insert(_ decision: PB.Decision, _ db: some SQLQuerying) async throws -> Bool {
        let rows = try await db.query("""
            INSERT INTO decisions (id, bot_id, candle_open_time_ns, created_at_ns, payload)
            VALUES (\(decision.id)::uuid, \(decision.botId)::uuid, \(decision.candleOpenTimeNs), \(decision.createdAtNs),
                    \(SQLBytes(try decision.encodedBytes())))
            ON CONFLICT (bot_id, candle_open_time_ns) DO NOTHING RETURNING id
            """)
        return !rows.isEmpty
    }

    static func update(_ decision: PB.Decision, _ db: some SQLQuerying) async throws {
        try await db.execute("UPDATE decisions SET payload = \(SQLBytes(try decision.encodedBytes())) WHERE id = \(decision.id)::uuid")
    }

    static func decisions(bot: String, after: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying) async throws -> [PB.Decision] {
        let time = after?.time ?? Int64.max, id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        let rows = try await db.query("""
            SELECT payload FROM decisions WHERE bot_id = \(bot)::uuid AND (created_at_ns, id) < (\(time), \(id)::uuid)
            ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """)
        return try rows.map { try PB.Decision(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    static func lastDecision(bot: String, _ db: some SQLQuerying) async throws -> PB.Decision? {
        try await decisions(bot: bot, after: nil, limit: 1, db).first
    }

    // MARK: Backtests

    static func insert(_ result: PB.BacktestResult, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO backtests VALUES (\(result.id)::uuid, \(result.createdAtNs), \(SQLBytes(try result.encodedBytes())))
            """)
    }

    static func backtest(id: String, _ db: some SQLQuerying) async throws -> PB.BacktestResult? {
        let rows = try await db.query("SELECT payload FROM backtests WHERE id = \(id)::uuid")
        return try rows.first.map { try PB.BacktestResult(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    // MARK: Chat

    static func conversation(_ id: String, _ db: some SQLQuerying) async throws -> [PB.ChatMessage] {
        try await db.query("SELECT role, content FROM chat_messages WHERE conversation_id = \(id)::uuid ORDER BY seq")
            .map { PB.ChatMessage(role: try $0.decode(at: 0), content: try $0.decode(at: 1)) }
    }

    static func append(_ messages: [PB.ChatMessage], conversation id: String, user: String, at ts: Int64, _ db: some SQLQuerying) async throws {
        for m in messages {
            try await db.execute("""
                INSERT INTO chat_messages
                SELECT \(id)::uuid, COALESCE(MAX(seq), 0) + 1, \(user), \(m.role), \(m.content), \(ts)
                FROM chat_messages WHERE conversation_id = \(id)::uuid
                """)
        }
    }
}
