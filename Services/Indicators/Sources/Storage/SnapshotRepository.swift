import Contract
import Store
import Wire

/// The `snapshots` table: one row per series and closed bar, the message stored as its wire bytes.
struct SnapshotRepository: Sendable {
    let store: Store
    /// Postgres binds at most 65535 parameters per statement; 5 per row.
    static let rowsPerStatement = 10_000

    /// Writes snapshots; a bar stored before (a correction) is replaced.
    func upsert(_ snapshots: [PB.IndicatorSnapshot]) async throws {
        for chunk in snapshots.chunked(Self.rowsPerStatement) {
            var q = SQL.Interpolation(literalCapacity: 160 + chunk.count * 40, interpolationCount: chunk.count * 5)
            q.appendLiteral("INSERT INTO snapshots (symbol, timeframe, open_time_ns, close, payload) VALUES ")
            for (n, s) in chunk.enumerated() {
                q.appendLiteral(n == 0 ? "(" : ", (")
                q.appendInterpolation(s.symbol)
                q.appendLiteral(", ")
                q.appendInterpolation(Int(s.timeframe.rawValue))
                q.appendLiteral(", ")
                q.appendInterpolation(s.openTimeNs)
                q.appendLiteral(", ")
                q.appendInterpolation(s.close)
                q.appendLiteral(", ")
                q.appendInterpolation(SQLBytes(try s.encodedBytes()))
                q.appendLiteral(")")
            }
            q.appendLiteral(" ON CONFLICT (symbol, timeframe, open_time_ns) DO UPDATE SET close = EXCLUDED.close, payload = EXCLUDED.payload")
            try await store.execute(SQL(stringInterpolation: q))
        }
    }

    /// The newest stored snapshot of `key`.
    func latest(_ key: SeriesKey) async throws -> PB.IndicatorSnapshot? {
        let rows = try await store.query("""
            SELECT payload FROM snapshots WHERE symbol = \(key.symbol) AND timeframe = \(key.timeframe.wireNumber)
            ORDER BY open_time_ns DESC LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        return try PB.IndicatorSnapshot(decoding: row.decode(SQLBytes.self, at: 0).bytes)
    }

    /// What identifies a stored snapshot: a batch keeps only the last version of each.
    struct BarKey: Hashable {
        let symbol: String
        let timeframe: Int32
        let openTime: Int64
    }

    static func barKey(_ s: PB.IndicatorSnapshot) -> BarKey { BarKey(symbol: s.symbol, timeframe: s.timeframe.rawValue, openTime: s.openTimeNs) }

    /// Deletes snapshots of bars that opened before `cutoff`; returns how many.
    @discardableResult
    func deleteOlder(than cutoff: Int64) async throws(StoreError) -> Int {
        try await store.execute("DELETE FROM snapshots WHERE open_time_ns < \(cutoff)")
    }
}
