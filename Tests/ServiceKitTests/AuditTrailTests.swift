import Logging
import RPC
import ServiceKit
import ServiceKitTesting
import Store
import Testing
import Wire

/// The audit trail against real Postgres: appended in order with the request id of the trace it
/// ran in, paged newest first, and any changed or removed entry found by `verify`.
@Suite("Audit trail")
struct AuditTrailTests {
    @Test("entries chain; a changed field, a removed entry and a forged hash are each found")
    func chainAndTampering() async throws {
        try await TestEnvironment.withPrivateSchema { store, _ in
            let audit = AuditTrail(store: store, logger: Logger(label: "test"))
            try await audit.prepare()
            await audit.record(AuditEvent("auth.login", actor: "u1", target: "a@example.com"))
            await TraceContext.$current.withValue(TraceContext(traceId: String(repeating: "ab", count: 16), parentId: String(repeating: "0", count: 16))) {
                await audit.record(AuditEvent("risk.kill_switch", actor: "u1", outcome: "engaged", detail: "maintenance"))
            }
            try await store.withTransaction { tx in try await audit.record(AuditEvent("user.disabled", actor: "u1", target: "u2"), in: tx) }
            for i in 0..<4 { await audit.record(AuditEvent("execution.order_submitted", actor: "risk", target: "o\(i)", outcome: "filled")) }

            var verdict = try await audit.verify()
            #expect(verdict.intact && verdict.entries == 7 && verdict.headHash.count == 64)
            let page = try await audit.page(PB.AuditQuery(limit: 5))
            #expect(page.entries.map(\.seq) == [7, 6, 5, 4, 3] && page.nextBeforeSeq == 3)
            let rest = try await audit.page(PB.AuditQuery(beforeSeq: page.nextBeforeSeq, limit: 5))
            #expect(rest.entries.map(\.seq) == [2, 1] && rest.nextBeforeSeq == 0)
            #expect(rest.entries[0].requestId == String(repeating: "ab", count: 16) && rest.entries[1].requestId == "")

            // A changed outcome: that entry no longer matches its hash.
            try await store.execute("UPDATE audit_log SET outcome = 'released' WHERE seq = 2")
            verdict = try await audit.verify()
            #expect(!verdict.intact && verdict.firstBrokenSeq == 2)
            try await store.execute("UPDATE audit_log SET outcome = 'engaged' WHERE seq = 2")
            #expect(try await audit.verify().intact)

            // A hash recomputed by someone who changed an entry breaks the next one.
            try await store.execute("UPDATE audit_log SET detail = 'nothing', hash = '\\x00' WHERE seq = 5")
            verdict = try await audit.verify()
            #expect(!verdict.intact && verdict.firstBrokenSeq == 5)

            // A removed entry in the middle.
            try await store.execute("DELETE FROM audit_log WHERE seq >= 5")
            await audit.record(AuditEvent("auth.logout", actor: "u1"))
            #expect(try await audit.verify().intact)
            try await store.execute("DELETE FROM audit_log WHERE seq = 3")
            verdict = try await audit.verify()
            #expect(!verdict.intact && verdict.firstBrokenSeq == 3 && verdict.message.contains("missing"))
        }
    }
}
