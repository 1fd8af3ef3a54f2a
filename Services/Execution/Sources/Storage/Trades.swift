import Contract
import Store
import TradingCore
import Wire

/// The `trades` and `equity_samples` tables: what an account's performance is computed from. A
/// trade row keeps its wire encoding.
enum Trades {
    static func insert(_ t: Trade, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO trades (id, account_id, symbol, bot_id, closed_at_ns, payload)
            VALUES (\(t.id)::uuid, \(t.accountId)::uuid, \(t.symbol), \(t.closing.botId), \(t.closedAtNs), \(SQLBytes(try t.wire.encodedBytes())))
            """)
    }

    /// One page of an account's trades, newest first, narrowed by symbol, bot and close time.
    static func page(
        account: String, symbol: String, botId: String, range: TimeWindow, after cursor: (time: Int64, id: String)?, limit: Int,
        _ db: some SQLQuerying
    ) async throws -> [Trade] {
        try await db.query("""
            SELECT payload FROM trades
            WHERE account_id = \(account)::uuid
              AND (\(symbol.isEmpty)::boolean OR symbol = \(symbol)) AND (\(botId.isEmpty)::boolean OR bot_id = \(botId))
              AND closed_at_ns >= \(range.fromNs) AND (\(range.toNs == 0)::boolean OR closed_at_ns < \(range.toNs))
              AND (\(cursor == nil)::boolean OR (closed_at_ns, id) < (\(cursor?.time ?? 0), \(cursor?.id ?? "00000000-0000-0000-0000-000000000000")::uuid))
            ORDER BY closed_at_ns DESC, id DESC LIMIT \(limit)
            """).map { row in
                let message = try PB.Trade(decoding: row.decode(SQLBytes.self, at: 0).bytes)
                guard let trade = Trade(wire: message) else {
                    throw StoreError(code: .decodingFailed, message: "trades row \(message.id) has no side")
                }
                return trade
            }
    }

    /// Records `equity` at `ts` (a later sample at the same instant replaces it).
    static func sampleEquity(account: String, _ equity: FixedDecimal, at ts: Int64, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            INSERT INTO equity_samples (account_id, ts_ns, equity) VALUES (\(account)::uuid, \(ts), \(equity.raw))
            ON CONFLICT (account_id, ts_ns) DO UPDATE SET equity = EXCLUDED.equity
            """)
    }

    /// Equity samples of `account` in `range`, oldest first (at most `limit`, the newest kept).
    static func equity(
        account: String, range: TimeWindow, limit: Int, _ db: some SQLQuerying
    ) async throws(StoreError) -> [(tsNs: Int64, equity: FixedDecimal)] {
        try await db.query("""
            SELECT ts_ns, equity FROM (
                SELECT ts_ns, equity FROM equity_samples
                WHERE account_id = \(account)::uuid AND ts_ns >= \(range.fromNs) AND (\(range.toNs == 0)::boolean OR ts_ns < \(range.toNs))
                ORDER BY ts_ns DESC LIMIT \(limit)) newest
            ORDER BY ts_ns
            """).map { row throws(StoreError) in (try row.decode(at: 0), FixedDecimal(raw: try row.decode(at: 1))) }
    }
}
