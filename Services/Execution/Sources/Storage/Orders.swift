import Contract
import Store
import TradingCore
import Wire

/// The `orders` and `fills` tables: each row keeps the order's wire encoding (what every earlier
/// build stored), plus the columns queries select on.
enum Orders {
    static func insert(_ o: Order, exitReason: ExitReason, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO orders (id, account_id, client_order_id, symbol, status, exit_reason, created_at_ns, payload)
            VALUES (\(o.id)::uuid, \(o.accountId)::uuid, \(o.clientOrderId), \(o.symbol), \(o.status.wireNumber), \(exitReason.rawValue),
                    \(o.createdAtNs), \(SQLBytes(try o.wire.encodedBytes())))
            """)
    }

    static func update(_ o: Order, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            UPDATE orders SET status = \(o.status.wireNumber), payload = \(SQLBytes(try o.wire.encodedBytes())) WHERE id = \(o.id)::uuid
            """)
    }

    /// The order an idempotent submit already made.
    static func find(account: String, clientOrderId: String, _ db: some SQLQuerying) async throws -> Order? {
        try decode(try await db.query("""
            SELECT payload FROM orders WHERE account_id = \(account)::uuid AND client_order_id = \(clientOrderId)
            """)).first
    }

    /// The order `id` with the exit reason its closing fills record; `locking` holds its row.
    static func find(id: String, locking: Bool = false, _ db: some SQLQuerying) async throws -> (order: Order, exitReason: ExitReason)? {
        let rows = try await db.query(locking
            ? "SELECT payload, exit_reason FROM orders WHERE id = \(id)::uuid FOR UPDATE"
            : "SELECT payload, exit_reason FROM orders WHERE id = \(id)::uuid")
        guard let row = rows.first else { return nil }
        return (try order(row), ExitReason(rawValue: try row.decode(at: 1)) ?? .signal)
    }

    /// Every order still working, oldest first (the paper broker watches them).
    static func working(_ db: some SQLQuerying) async throws -> [Order] {
        let working = OrderStatus.allCases.filter(\.isWorking).map { String($0.wireNumber) }.joined(separator: ",")
        return try decode(try await db.query("""
            SELECT payload FROM orders WHERE status = ANY (string_to_array(\(working), ',')::smallint[]) ORDER BY created_at_ns
            """))
    }

    /// One page of an account's orders, newest first.
    static func page(
        account: String, statuses: [OrderStatus], symbol: String, after cursor: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying
    ) async throws -> [Order] {
        let statusList = statuses.map { String($0.wireNumber) }.joined(separator: ",")
        return try decode(try await db.query("""
            SELECT payload FROM orders
            WHERE account_id = \(account)::uuid
              AND (\(statusList.isEmpty)::boolean OR status = ANY (string_to_array(\(statusList), ',')::smallint[]))
              AND (\(symbol.isEmpty)::boolean OR symbol = \(symbol))
              AND (\(cursor == nil)::boolean OR (created_at_ns, id) < (\(cursor?.time ?? 0), \(cursor?.id ?? "00000000-0000-0000-0000-000000000000")::uuid))
            ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """))
    }

    static func insertFill(_ f: OrderFill, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO fills (id, order_id, account_id, ts_ns, payload)
            VALUES (\(f.id)::uuid, \(f.orderId)::uuid, \(f.accountId)::uuid, \(f.fill.timeNs), \(SQLBytes(try f.wire.encodedBytes())))
            """)
    }

    private static func decode(_ rows: Rows) throws -> [Order] { try rows.map(order) }

    private static func order(_ row: Rows.Row) throws -> Order {
        let message = try PB.Order(decoding: row.decode(SQLBytes.self, at: 0).bytes)
        guard let order = Order(wire: message) else {
            throw StoreError(code: .decodingFailed, message: "orders row \(message.id) holds an order this build cannot read (side, type, time in force or status unknown)")
        }
        return order
    }
}
