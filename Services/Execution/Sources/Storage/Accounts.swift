import Contract
import Store
import TradingCore
import Wire

/// The `accounts` table.
enum Accounts {
    static func insert(_ a: AccountRecord, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            INSERT INTO accounts (id, owner_id, mode, broker, currency, cash, realized_pnl, created_at_ns)
            VALUES (\(a.id)::uuid, \(a.ownerId), \(Int(a.mode.wire.rawValue)), \(a.broker), \(a.currency), \(a.cash.raw), \(a.realizedPnl.raw), \(a.createdAtNs))
            """)
    }

    /// The account `id`; `locking` holds its row until the transaction ends (orders of one account
    /// are applied one at a time).
    static func find(_ id: String, locking: Bool = false, _ db: some SQLQuerying) async throws(StoreError) -> AccountRecord? {
        let rows = try await db.query(locking ? """
            SELECT id, owner_id, mode, broker, currency, cash, realized_pnl, created_at_ns FROM accounts WHERE id = \(id)::uuid FOR UPDATE
            """ : """
            SELECT id, owner_id, mode, broker, currency, cash, realized_pnl, created_at_ns FROM accounts WHERE id = \(id)::uuid
            """)
        return try rows.first.map { row throws(StoreError) in
            AccountRecord(
                id: try row.decode(at: 0), ownerId: try row.decode(at: 1), mode: try mode(try row.decode(Int.self, at: 2)),
                broker: try row.decode(at: 3), currency: try row.decode(at: 4), cash: FixedDecimal(raw: try row.decode(at: 5)),
                realizedPnl: FixedDecimal(raw: try row.decode(at: 6)), createdAtNs: try row.decode(at: 7))
        }
    }

    /// The mode a stored number names (the wire's numbering).
    private static func mode(_ number: Int) throws(StoreError) -> AccountMode {
        guard let wire = Int32(exactly: number), let mode = AccountMode(wire: PB.AccountMode(rawValue: wire)) else {
            throw StoreError(code: .decodingFailed, message: "accounts row has mode \(number), which this build does not know")
        }
        return mode
    }

    static func updateLedger(_ a: AccountRecord, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("UPDATE accounts SET cash = \(a.cash.raw), realized_pnl = \(a.realizedPnl.raw) WHERE id = \(a.id)::uuid")
    }

    /// Ids of accounts holding an open position.
    static func withPositions(_ db: some SQLQuerying) async throws(StoreError) -> [String] {
        try await db.query("SELECT DISTINCT account_id FROM positions WHERE quantity <> 0").map { row throws(StoreError) in try row.decode(at: 0) }
    }
}
