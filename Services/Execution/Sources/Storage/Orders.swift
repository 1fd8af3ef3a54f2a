import TradingCore
import Contract
import Store
import Wire

/// The `orders` and `fills` tables: each row keeps the message as on the wire, plus the columns queries select on.
enum Orders {
    /// Orders that can still fill (new, partially filled).
    static let workingStatuses: [PB.OrderStatus] = [.new, .partiallyFilled]

    static func insert(_ o: PB.Order, exitReason: ExitReason, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO orders (id, account_id, client_order_id, symbol, status, exit_reason, created_at_ns, payload)
            VALUES (\(o.id)::uuid, \(o.accountId)::uuid, \(o.clientOrderId), \(o.symbol), \(Int(o.status.rawValue)), \(exitReason.rawValue),
                    \(o.createdAtNs), \(SQLBytes(try o.encodedBytes())))
            """)
    }

    static func update(_ o: PB.Order, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            UPDATE orders SET status = \(Int(o.status.rawValue)), payload = \(SQLBytes(try o.encodedBytes())) WHERE id = \(o.id)::uuid
            """)
    }

    /// The order an idempotent submit already made.
    static func find(account: String, clientOrderId: String, _ db: some SQLQuerying) async throws -> PB.Order? {
        try decode(try await db.query("""
            SELECT payload FROM orders WHERE account_id = \(account)::uuid AND client_order_id = \(clientOrderId)
            """)).first
    }

    /// The order `id` with the exit reason its closing fills record; `locking` holds its row.
    static func find(id: String, locking: Bool = false, _ db: some SQLQuerying) async throws -> (order: PB.Order, exitReason: ExitReason)? {
        let rows = try await db.query(locking
            ? "SELECT payload, exit_reason FROM orders WHERE id = \(id)::uuid FOR UPDATE"
            : "SELECT payload, exit_reason FROM orders WHERE id = \(id)::uuid")
        guard let row = rows.first else { return nil }
        return (try PB.Order(decoding: row.decode(SQLBytes.self, at: 0).bytes), ExitReason(rawValue: try row.decode(at: 1)) ?? .signal)
    }

    /// Every order still working, oldest first (the paper broker watches them).
    static func working(_ db: some SQLQuerying) async throws -> [PB.Order] {
        try decode(try await db.query("SELECT payload FROM orders WHERE status IN (1, 2) ORDER BY created_at_ns"))
    }

    /// One page of an account's orders, newest first.
    static func page(
        account: String, statuses: [PB.OrderStatus], symbol: String, after cursor: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying
    ) async throws -> [PB.Order] {
        let statusList = statuses.map { String($0.rawValue) }.joined(separator: ",")
        return try decode(try await db.query("""
            SELECT payload FROM orders
            WHERE account_id = \(account)::uuid
              AND (\(statusList.isEmpty)::boolean OR status = ANY (string_to_array(\(statusList), ',')::smallint[]))
              AND (\(symbol.isEmpty)::boolean OR symbol = \(symbol))
              AND (\(cursor == nil)::boolean OR (created_at_ns, id) < (\(cursor?.time ?? 0), \(cursor?.id ?? "00000000-0000-0000-0000-000000000000")::uuid))
            ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """))
    }

    static func insertFill(_ f: PB.Fill, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO fills (id, order_id, account_id, ts_ns, payload)
            VALUES (\(f.id)::uuid, \(f.orderId)::uuid, \(f.accountId)::uuid, \(f.tsNs), \(SQLBytes(try f.encodedBytes())))
            """)
    }

    private static func decode(_ rows: Rows) throws -> [PB.Order] {
        try rows.map { row in try PB.Order(decoding: row.decode(SQLBytes.self, at: 0).bytes) }
    }
}
