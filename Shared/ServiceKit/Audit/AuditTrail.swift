import Contract
import Crypto
import Foundation
import Logging
import RPC
import Store
import Wire

/// One security-relevant action: who did what to what, and how it ended.
public struct AuditEvent: Sendable, Hashable {
    /// `auth.login`, `risk.kill_switch`, `execution.order_submitted`, …
    public var action: String
    /// A user id, or the calling service's identity.
    public var actor: String
    /// The user, order, bot or account acted on.
    public var target: String
    /// `ok`, `refused`, `failed`, or what became of it.
    public var outcome: String
    /// Free text for people (never a secret).
    public var detail: String

    /// An event; `detail` is free text for people (never a secret).
    public init(_ action: String, actor: String, target: String = "", outcome: String = "ok", detail: String = "") {
        self.action = action
        self.actor = actor
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
}

/// The service's append-only audit trail (`audit_log` in its schema), hash-chained: each entry
/// stores SHA-256(previous hash ‖ its own fields), so changing or removing an entry breaks every
/// hash after it, which `verify` finds. Entries carry the request id of the gateway request they
/// belong to (the RPC trace id). Appends take a transaction-scoped advisory lock, one at a time per
/// schema; an append inside the caller's transaction commits or rolls back with the action.
public final class AuditTrail: Sendable {
    let store: Store?
    let logger: Logger

    /// A trail in `store` (nil: entries only go to the log, as for a service without Postgres).
    public init(store: Store?, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Makes the table if it is not there (the host does, after the service's migrations: every
    /// service has the same one, defined here once).
    public func prepare() async throws {
        try await store?.execute(SQL.unsafeRaw(Self.schemaSQL))
    }

    static let schemaSQL = """
        CREATE TABLE IF NOT EXISTS audit_log (
            seq        bigint PRIMARY KEY,
            at_ns      bigint NOT NULL,
            actor      text   NOT NULL,
            action     text   NOT NULL,
            target     text   NOT NULL,
            outcome    text   NOT NULL,
            request_id text   NOT NULL,
            detail     text   NOT NULL,
            hash       bytea  NOT NULL
        )
        """

    /// Appends `event` inside the caller's transaction `tx`.
    public func record(_ event: AuditEvent, in tx: Transaction) async throws {
        try await Self.append(event, requestId: TraceContext.current?.traceId ?? "", tx)
    }

    /// Appends `event` in a transaction of its own. A failure is logged, never thrown: the action
    /// it describes has happened already.
    public func record(_ event: AuditEvent) async {
        guard let store else {
            logger.notice("audit", metadata: ["audit.action": "\(event.action)", "audit.actor": "\(event.actor)", "audit.outcome": "\(event.outcome)"])
            return
        }
        let requestId = TraceContext.current?.traceId ?? ""
        do {
            try await store.withTransaction { tx in try await Self.append(event, requestId: requestId, tx) }
        } catch {
            logger.error("an audit entry could not be written", metadata: ["audit.action": "\(event.action)", "error": "\(error)"])
        }
    }

    private static func append(_ event: AuditEvent, requestId: String, _ tx: Transaction) async throws {
        try await tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.audit_log'))")
        let last = try await tx.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        let (seq, previous): (Int64, [UInt8]) = try last.first.map { row in (try row.decode(at: 0) + 1, try row.decode(SQLBytes.self, at: 1).bytes) } ?? (1, [])
        let entry = Entry(
            seq: seq, atNs: WallClock.nowNs, actor: event.actor, action: event.action, target: event.target, outcome: event.outcome,
            requestId: requestId, detail: event.detail)
        try await tx.execute("""
            INSERT INTO audit_log (seq, at_ns, actor, action, target, outcome, request_id, detail, hash)
            VALUES (\(entry.seq), \(entry.atNs), \(entry.actor), \(entry.action), \(entry.target), \(entry.outcome), \(entry.requestId),
                    \(entry.detail), \(SQLBytes(entry.hash(after: previous))))
            """)
    }

    /// One page of entries, newest first, before `beforeSeq` (0: the newest).
    public func page(_ query: PB.AuditQuery) async throws -> PB.AuditPage {
        guard let store else { return PB.AuditPage() }
        let limit = query.limit == 0 ? 100 : min(Int(query.limit), 1000)
        let rows = try await store.query("""
            SELECT seq, at_ns, actor, action, target, outcome, request_id, detail, hash FROM audit_log
            WHERE (\(query.beforeSeq == 0)::boolean OR seq < \(query.beforeSeq)) ORDER BY seq DESC LIMIT \(limit + 1)
            """)
        var entries: [PB.AuditRecord] = []
        for row in rows.prefix(limit) {
            let entry = try Entry(row)
            entries.append(PB.AuditRecord(
                seq: entry.seq, atNs: entry.atNs, actor: entry.actor, action: entry.action, target: entry.target, outcome: entry.outcome,
                requestId: entry.requestId, detail: entry.detail, hash: Self.hex(try row.decode(SQLBytes.self, at: 8).bytes)))
        }
        return PB.AuditPage(entries: entries, nextBeforeSeq: rows.count > limit ? entries.last?.seq ?? 0 : 0)
    }

    /// Recomputes the chain from the first entry; the first one that does not match, if any.
    public func verify() async throws -> PB.AuditVerification {
        guard let store else { return PB.AuditVerification(intact: true, message: "this service keeps no audit table") }
        var previous: [UInt8] = [], count: Int64 = 0, expectedSeq: Int64 = 1, after: Int64 = 0
        while true {
            let rows = try await store.query("""
                SELECT seq, at_ns, actor, action, target, outcome, request_id, detail, hash FROM audit_log
                WHERE seq > \(after) ORDER BY seq LIMIT 5000
                """)
            if rows.isEmpty { break }
            for row in rows {
                let entry = try Entry(row)
                let stored = try row.decode(SQLBytes.self, at: 8).bytes
                guard entry.seq == expectedSeq else {
                    return PB.AuditVerification(
                        intact: false, entries: count, firstBrokenSeq: expectedSeq, message: "entry \(expectedSeq) is missing (the next is \(entry.seq))")
                }
                guard entry.hash(after: previous) == stored else {
                    return PB.AuditVerification(
                        intact: false, entries: count, firstBrokenSeq: entry.seq,
                        message: "entry \(entry.seq) does not match its hash: it, or the one before it, was changed")
                }
                previous = stored
                count += 1
                expectedSeq += 1
                after = entry.seq
            }
        }
        return PB.AuditVerification(intact: true, entries: count, message: "\(count) entries, chain intact", headHash: Self.hex(previous))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// An entry's fields, as hashed.
    struct Entry {
        var seq: Int64, atNs: Int64
        var actor: String, action: String, target: String, outcome: String, requestId: String, detail: String

        init(seq: Int64, atNs: Int64, actor: String, action: String, target: String, outcome: String, requestId: String, detail: String) {
            (self.seq, self.atNs, self.actor, self.action, self.target, self.outcome, self.requestId, self.detail) =
                (seq, atNs, actor, action, target, outcome, requestId, detail)
        }

        init(_ row: Rows.Row) throws {
            self.init(
                seq: try row.decode(at: 0), atNs: try row.decode(at: 1), actor: try row.decode(at: 2), action: try row.decode(at: 3),
                target: try row.decode(at: 4), outcome: try row.decode(at: 5), requestId: try row.decode(at: 6), detail: try row.decode(at: 7))
        }

        /// SHA-256 of the previous hash and every field, each text field length-prefixed so no two
        /// different entries hash the same bytes.
        func hash(after previous: [UInt8]) -> [UInt8] {
            var sha = SHA256()
            sha.update(data: previous)
            withUnsafeBytes(of: seq.bigEndian) { sha.update(bufferPointer: $0) }
            withUnsafeBytes(of: atNs.bigEndian) { sha.update(bufferPointer: $0) }
            for text in [actor, action, target, outcome, requestId, detail] {
                let bytes = Array(text.utf8)
                withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { sha.update(bufferPointer: $0) }
                sha.update(data: bytes)
            }
            return Array(sha.finalize())
        }
    }
}

/// A Diagnostics service whose audit methods answer from `audit` (every host's, and any service
/// that brings its own Diagnostics).
public protocol AuditedDiagnostics: DiagnosticsService {
    var audit: AuditTrail { get }
}

extension AuditedDiagnostics {
    /// The trail, newest first.
    public func listAudit(_ request: PB.AuditQuery, context: ServerCallContext) async throws -> PB.AuditPage { try await audit.page(request) }

    /// The chain recomputed.
    public func verifyAudit(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.AuditVerification { try await audit.verify() }
}
