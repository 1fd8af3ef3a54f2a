import Contract
import Store
import TradingCore
import Wire

/// The kill switch as stored.
struct KillSwitchRecord: Sendable, Hashable {
    var engaged = false
    var reason = ""
    var changedBy = ""
    var changedAtNs: Int64 = 0

    var wire: PB.KillSwitchState { PB.KillSwitchState(engaged: engaged, reason: reason, changedBy: changedBy, changedAtNs: changedAtNs) }
}

/// The `limits`, `kill_switch` and `alerts` tables.
enum RiskTables {
    /// The account's own limits, else the stored defaults (`*`), else nil.
    static func limits(account: String, _ db: some SQLQuerying) async throws(StoreError) -> Limits? {
        let rows = try await db.query("""
            SELECT max_position_notional, max_open_positions, daily_loss_limit, max_drawdown, max_order_notional, max_leverage
            FROM limits WHERE account_id IN (\(account), '*') ORDER BY account_id = '*' LIMIT 1
            """)
        return try rows.first.map { r throws(StoreError) in
            Limits(
                maxPositionNotional: FixedDecimal(raw: try r.decode(at: 0)), maxOpenPositions: try r.decode(at: 1),
                dailyLossLimit: FixedDecimal(raw: try r.decode(at: 2)), maxDrawdown: try r.decode(at: 3),
                maxOrderNotional: FixedDecimal(raw: try r.decode(at: 4)), maxLeverage: try r.decode(at: 5))
        }
    }

    static func setLimits(account: String, _ l: Limits, at ts: Int64, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            INSERT INTO limits VALUES (\(account), \(l.maxPositionNotional.raw), \(l.maxOpenPositions), \(l.dailyLossLimit.raw), \(l.maxDrawdown),
                                       \(l.maxOrderNotional.raw), \(l.maxLeverage), \(ts))
            ON CONFLICT (account_id) DO UPDATE SET
                max_position_notional = EXCLUDED.max_position_notional, max_open_positions = EXCLUDED.max_open_positions,
                daily_loss_limit = EXCLUDED.daily_loss_limit, max_drawdown = EXCLUDED.max_drawdown,
                max_order_notional = EXCLUDED.max_order_notional, max_leverage = EXCLUDED.max_leverage, updated_at_ns = EXCLUDED.updated_at_ns
            """)
    }

    static func killSwitch(_ db: some SQLQuerying) async throws(StoreError) -> KillSwitchRecord {
        let rows = try await db.query("SELECT engaged, reason, changed_by, changed_at_ns FROM kill_switch WHERE id = 1")
        guard let r = rows.first else { return KillSwitchRecord() }
        return KillSwitchRecord(engaged: try r.decode(at: 0), reason: try r.decode(at: 1), changedBy: try r.decode(at: 2), changedAtNs: try r.decode(at: 3))
    }

    static func setKillSwitch(_ k: KillSwitchRecord, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            UPDATE kill_switch SET engaged = \(k.engaged), reason = \(k.reason), changed_by = \(k.changedBy), changed_at_ns = \(k.changedAtNs) WHERE id = 1
            """)
    }

    static func insertAlert(_ a: PB.RiskAlert, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            INSERT INTO alerts VALUES (\(a.id)::uuid, \(a.accountId), \(Int(a.severity.rawValue)), \(a.rule), \(a.message), \(a.tsNs))
            """)
    }
}
