import Store
import TradingCore

/// The `positions` table: one row per account and symbol ever traded.
enum Positions {
    private static let columns: StaticString = "symbol, quantity, average_price, realized_pnl, open_fees, stop_loss, take_profit, bot_id, opened_at_ns, updated_at_ns"

    /// The position of `account` in `symbol` (flat when never traded); `locking` holds its row.
    static func find(account: String, symbol: String, locking: Bool = false, _ db: some SQLQuerying) async throws(StoreError) -> PositionState {
        let rows = try await db.query(locking ? """
            SELECT \(unsafeRaw: columns) FROM positions WHERE account_id = \(account)::uuid AND symbol = \(symbol) FOR UPDATE
            """ : """
            SELECT \(unsafeRaw: columns) FROM positions WHERE account_id = \(account)::uuid AND symbol = \(symbol)
            """)
        return try rows.first.map(decode) ?? PositionState(symbol: symbol)
    }

    /// The open positions of `account`, by symbol.
    static func open(account: String, _ db: some SQLQuerying) async throws(StoreError) -> [PositionState] {
        try await db.query("""
            SELECT \(unsafeRaw: columns) FROM positions WHERE account_id = \(account)::uuid AND quantity <> 0 ORDER BY symbol
            """).map(decode)
    }

    /// Open positions with a stop loss or take profit, with their accounts (the paper broker watches them).
    static func protected(_ db: some SQLQuerying) async throws(StoreError) -> [(account: String, position: PositionState)] {
        try await db.query("""
            SELECT account_id, \(unsafeRaw: columns) FROM positions WHERE quantity <> 0 AND (stop_loss <> 0 OR take_profit <> 0)
            """).map { row throws(StoreError) in (try row.decode(at: 0), try decode(row, from: 1)) }
    }

    static func upsert(account: String, _ p: PositionState, _ db: some SQLQuerying) async throws(StoreError) {
        try await db.execute("""
            INSERT INTO positions (account_id, \(unsafeRaw: columns))
            VALUES (\(account)::uuid, \(p.symbol), \(p.quantity.raw), \(p.averagePrice.raw), \(p.realizedPnl.raw), \(p.openFees.raw),
                    \(p.stopLoss.raw), \(p.takeProfit.raw), \(p.botId), \(p.openedAtNs), \(p.updatedAtNs))
            ON CONFLICT (account_id, symbol) DO UPDATE SET
                quantity = EXCLUDED.quantity, average_price = EXCLUDED.average_price, realized_pnl = EXCLUDED.realized_pnl,
                open_fees = EXCLUDED.open_fees, stop_loss = EXCLUDED.stop_loss, take_profit = EXCLUDED.take_profit,
                bot_id = EXCLUDED.bot_id, opened_at_ns = EXCLUDED.opened_at_ns, updated_at_ns = EXCLUDED.updated_at_ns
            """)
    }

    private static func decode(_ row: Rows.Row) throws(StoreError) -> PositionState { try decode(row, from: 0) }

    private static func decode(_ row: Rows.Row, from c: Int) throws(StoreError) -> PositionState {
        var p = PositionState(symbol: try row.decode(at: c))
        p.quantity = FixedDecimal(raw: try row.decode(at: c + 1))
        p.averagePrice = FixedDecimal(raw: try row.decode(at: c + 2))
        p.realizedPnl = FixedDecimal(raw: try row.decode(at: c + 3))
        p.openFees = FixedDecimal(raw: try row.decode(at: c + 4))
        p.stopLoss = FixedDecimal(raw: try row.decode(at: c + 5))
        p.takeProfit = FixedDecimal(raw: try row.decode(at: c + 6))
        p.botId = try row.decode(at: c + 7)
        p.openedAtNs = try row.decode(at: c + 8)
        p.updatedAtNs = try row.decode(at: c + 9)
        return p
    }
}
