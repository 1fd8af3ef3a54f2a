import Contract
import Store
import TradingCore

/// The `indicator_sets` table.
struct SetRepository: Sendable {
    let store: Store

    func insert(_ set: IndicatorSetRecord) async throws(StoreError) {
        try await store.execute("""
            INSERT INTO indicator_sets (id, symbol, timeframe, specs, anchor_ns, created_at_ns)
            VALUES (\(set.id)::uuid, \(set.key.symbol), \(set.key.timeframe.wireNumber), \(set.specsText), \(set.anchorNs), \(set.createdAtNs))
            """)
    }

    /// Deletes the set; returns its series, or nil when there was no such set.
    func delete(id: String) async throws(StoreError) -> SeriesKey? {
        let rows = try await store.query("DELETE FROM indicator_sets WHERE id = \(id)::uuid RETURNING symbol, timeframe")
        guard let row = rows.first else { return nil }
        return try Self.key(symbol: row.decode(at: 0), timeframe: row.decode(at: 1))
    }

    /// Every set, oldest first; `symbol` narrows to one symbol.
    func all(symbol: String? = nil) async throws -> [IndicatorSetRecord] {
        try records(try await store.query("""
            SELECT id, symbol, timeframe, specs, anchor_ns, created_at_ns FROM indicator_sets
            WHERE \(symbol == nil)::boolean OR symbol = \(symbol ?? "") ORDER BY created_at_ns, id
            """))
    }

    /// The sets of one series, oldest first.
    func all(on key: SeriesKey) async throws -> [IndicatorSetRecord] {
        try records(try await store.query("""
            SELECT id, symbol, timeframe, specs, anchor_ns, created_at_ns FROM indicator_sets
            WHERE symbol = \(key.symbol) AND timeframe = \(key.timeframe.wireNumber) ORDER BY created_at_ns, id
            """))
    }

    private func records(_ rows: Rows) throws -> [IndicatorSetRecord] {
        try rows.map { row in
            try IndicatorSetRecord(
                id: row.decode(at: 0), key: Self.key(symbol: row.decode(at: 1), timeframe: row.decode(at: 2)),
                specs: IndicatorSetRecord.parseSpecs(row.decode(at: 3)), anchorNs: row.decode(at: 4), createdAtNs: row.decode(at: 5))
        }
    }

    private static func key(symbol: String, timeframe: Int) throws(StoreError) -> SeriesKey {
        guard let tf = Timeframe(wireNumber: timeframe) else {
            throw StoreError(code: .decodingFailed, message: "indicator_sets.timeframe holds \(timeframe), which is no timeframe")
        }
        return SeriesKey(symbol: symbol, timeframe: tf)
    }
}
