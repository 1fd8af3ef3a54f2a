import Contract
import Store
import Wire

/// The `bots`, `decisions`, `jobs`, `backtests` and `chat_messages` tables.
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

    // MARK: Jobs

    static func insert(_ job: PB.Job, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO jobs (id, owner_id, kind, status, created_at_ns, payload)
            VALUES (\(job.id)::uuid, \(job.ownerId), \(job.kind.column), \(job.status.column), \(job.createdAtNs), \(SQLBytes(try job.encodedBytes())))
            """)
    }

    /// Stores `job` when its stored status is one of `from` (a finished or cancelled job is not
    /// overwritten by a late writer); whether it was.
    @discardableResult
    static func update(_ job: PB.Job, from: [PB.JobStatus], _ db: some SQLQuerying) async throws -> Bool {
        let allowed = from.map(\.column).joined(separator: ",")
        let rows = try await db.query("""
            UPDATE jobs SET status = \(job.status.column), payload = \(SQLBytes(try job.encodedBytes()))
            WHERE id = \(job.id)::uuid AND status = ANY(string_to_array(\(allowed), ',')) RETURNING id
            """)
        return !rows.isEmpty
    }

    static func job(id: String, _ db: some SQLQuerying) async throws -> PB.Job? {
        let rows = try await db.query("SELECT payload FROM jobs WHERE id = \(id)::uuid")
        return try rows.first.map { try PB.Job(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    /// A page of `owner`'s jobs of `kind`, newest first.
    static func jobs(owner: String, kind: PB.JobKind, after: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying) async throws -> [PB.Job] {
        let time = after?.time ?? Int64.max, id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        let rows = try await db.query("""
            SELECT payload FROM jobs WHERE owner_id = \(owner) AND kind = \(kind.column) AND (created_at_ns, id) < (\(time), \(id)::uuid)
            ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """)
        return try rows.map { try PB.Job(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    /// The oldest queued job, marked running (`SKIP LOCKED`: another worker or replica takes the next).
    static func claimQueuedJob(at now: Int64, _ db: Store) async throws -> PB.Job? {
        try await db.withTransaction { tx -> PB.Job? in
            let rows = try await tx.query("""
                SELECT payload FROM jobs WHERE status = 'queued' ORDER BY created_at_ns, id LIMIT 1 FOR UPDATE SKIP LOCKED
                """)
            guard var job = try rows.first.map({ try PB.Job(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }) else { return nil }
            job.status = .running
            job.updatedAtNs = now
            try await update(job, from: [.queued], tx)
            return job
        }
    }

    /// Jobs left running by a process that stopped: failed, saying so. Their ids.
    static func failInterruptedJobs(at now: Int64, _ db: Store) async throws -> [PB.Job] {
        let rows = try await db.query("SELECT payload FROM jobs WHERE status = 'running'")
        var failed: [PB.Job] = []
        for row in rows {
            var job = try PB.Job(decoding: row.decode(SQLBytes.self, at: 0).bytes)
            job.status = .failed
            job.error = "orchestrator.interrupted: the orchestrator stopped while the job ran; nothing of it was kept, submit it again"
            job.updatedAtNs = now
            if try await update(job, from: [.running], db) { failed.append(job) }
        }
        return failed
    }

    /// Finishes a backtest job: its full result stored and the job done, in one transaction, only
    /// while it is still running (a cancel meanwhile wins and nothing is kept).
    static func finish(_ job: PB.Job, result: PB.BacktestResult?, _ db: Store) async throws -> Bool {
        try await db.withTransaction { tx -> Bool in
            guard try await update(job, from: [.running], tx) else { return false }
            if let result {
                try await tx.execute("""
                    INSERT INTO backtests VALUES (\(job.id)::uuid, \(result.createdAtNs), \(SQLBytes(try result.encodedBytes())))
                    """)
            }
            return true
        }
    }

    /// Removes a job and its stored result; whether there was one. A runner still working on it
    /// finds it gone at its next progress write and stops.
    static func deleteJob(id: String, _ db: Store) async throws -> Bool {
        try await db.withTransaction { tx -> Bool in
            try await tx.execute("DELETE FROM backtests WHERE id = \(id)::uuid")
            return !(try await tx.query("DELETE FROM jobs WHERE id = \(id)::uuid RETURNING id")).isEmpty
        }
    }

    static func backtest(id: String, _ db: some SQLQuerying) async throws -> PB.BacktestResult? {
        let rows = try await db.query("SELECT payload FROM backtests WHERE id = \(id)::uuid")
        return try rows.first.map { try PB.BacktestResult(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    // MARK: Saved strategies

    /// Stores `saved` at its version; false when that version exists (a concurrent save won).
    static func insert(_ saved: PB.SavedStrategy, _ db: some SQLQuerying) async throws -> Bool {
        let rows = try await db.query("""
            INSERT INTO strategies (id, version, owner_id, created_at_ns, payload)
            VALUES (\(saved.id)::uuid, \(Int(saved.version)), \(saved.ownerId), \(saved.createdAtNs), \(SQLBytes(try saved.encodedBytes())))
            ON CONFLICT (id, version) DO NOTHING RETURNING id
            """)
        return !rows.isEmpty
    }

    /// Strategy `id` at `version` (0: the latest), whoever owns it.
    static func savedStrategy(id: String, version: Int, _ db: some SQLQuerying) async throws -> PB.SavedStrategy? {
        let rows = try await db.query(version > 0
            ? "SELECT payload FROM strategies WHERE id = \(id)::uuid AND version = \(version)"
            : "SELECT payload FROM strategies WHERE id = \(id)::uuid ORDER BY version DESC LIMIT 1")
        return try rows.first.map { try PB.SavedStrategy(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    /// A page of `owner`'s strategies at their latest versions, the most recently saved first.
    static func savedStrategies(owner: String, after: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying) async throws -> [PB.SavedStrategy] {
        let time = after?.time ?? Int64.max, id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        let rows = try await db.query("""
            SELECT latest.payload FROM (
                SELECT DISTINCT ON (id) id, created_at_ns, payload FROM strategies WHERE owner_id = \(owner) ORDER BY id, version DESC
            ) latest
            WHERE (latest.created_at_ns, latest.id) < (\(time), \(id)::uuid)
            ORDER BY latest.created_at_ns DESC, latest.id DESC LIMIT \(limit)
            """)
        return try rows.map { try PB.SavedStrategy(decoding: $0.decode(SQLBytes.self, at: 0).bytes) }
    }

    // MARK: Chat

    /// Who a conversation belongs to (its first message's user), nil for none yet.
    static func conversationOwner(_ id: String, _ db: some SQLQuerying) async throws -> String? {
        try await db.query("SELECT user_id FROM chat_messages WHERE conversation_id = \(id)::uuid ORDER BY seq LIMIT 1").first.map { try $0.decode(at: 0) }
    }

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

extension PB.JobKind {
    /// The `jobs.kind` column's word.
    var column: String { self == .optimization ? "optimization" : "backtest" }
}

extension PB.JobStatus {
    /// The `jobs.status` column's word.
    var column: String {
        switch self {
        case .running: "running"
        case .done: "done"
        case .failed: "failed"
        case .cancelled: "cancelled"
        default: "queued"
        }
    }
}
