import Contract
import Store
import TradingCore

/// A closed candle as stored: the candle and the canonical symbol it belongs to.
public struct StoredCandle: Sendable, Hashable {
    /// Canonical symbol and the candle.
    public var symbol: String
    public var candle: CandleState

    /// A row for `symbol`.
    public init(symbol: String, candle: CandleState) {
        self.symbol = symbol
        self.candle = candle
    }
}

/// The `candles` table: batched upserts, paged range reads, gap detection and retention.
public struct CandleRepository: Sendable {
    let store: Store

    /// The table in `store`'s schema.
    public init(store: Store) { self.store = store }
    /// The `source` of candles built from the feeds' ticks (backfilled ones carry the feed's name).
    public static let liveSource = "live"
    /// Postgres binds at most 65535 parameters per statement; 11 per row.
    static let rowsPerStatement = 2000

    /// Writes live candles; a row that exists is replaced (a correction). Returns rows written.
    @discardableResult
    public func upsert(_ rows: [StoredCandle], source: String = Self.liveSource) async throws(StoreError) -> Int {
        var written = 0
        for chunk in rows.chunked(Self.rowsPerStatement) {
            written += try await store.execute(insert(chunk, source: source, onConflict: """
                 ON CONFLICT (symbol, timeframe, open_time_ns) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high, \
                low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume, trade_count = EXCLUDED.trade_count, \
                source = EXCLUDED.source, updated_at = now()
                """))
        }
        return written
    }

    /// Writes candles from a provider's history, keeping rows that exist (backfill never rewrites
    /// what was built live). Returns rows inserted.
    func insertMissing(_ rows: [StoredCandle], source: String) async throws(StoreError) -> Int {
        var inserted = 0
        for chunk in rows.chunked(Self.rowsPerStatement) {
            inserted += try await store.execute(insert(chunk, source: source, onConflict: " ON CONFLICT DO NOTHING"))
        }
        return inserted
    }

    private func insert(_ rows: ArraySlice<StoredCandle>, source: String, onConflict: String) -> SQL {
        var q = SQL.Interpolation(literalCapacity: 200 + rows.count * 60, interpolationCount: rows.count * 11)
        q.appendLiteral("INSERT INTO candles (symbol, timeframe, open_time_ns, open, high, low, close, volume, trade_count, source) VALUES ")
        for (n, r) in rows.enumerated() {
            let c = r.candle
            q.appendLiteral(n == 0 ? "(" : ", (")
            q.appendInterpolation(r.symbol)
            q.appendLiteral(", ")
            q.appendInterpolation(c.timeframe.wireNumber)
            q.appendLiteral(", ")
            q.appendInterpolation(c.openTime)
            for v in [c.open, c.high, c.low, c.close, c.volume] {
                q.appendLiteral(", ")
                q.appendInterpolation(v)
            }
            q.appendLiteral(", ")
            q.appendInterpolation(Int64(c.tradeCount))
            q.appendLiteral(", ")
            q.appendInterpolation(source)
            q.appendLiteral(")")
        }
        q.appendLiteral(onConflict)
        return SQL(stringInterpolation: q)
    }

    /// Up to `limit` candles of `[from, to)` after `cursor` (exclusive), oldest first or newest first.
    func page(
        symbol: String, instrument: InstrumentID, timeframe: Timeframe, from: Int64, to: Int64, after cursor: Int64?,
        limit: Int, descending: Bool
    ) async throws(StoreError) -> [CandleState] {
        let tf = timeframe.wireNumber
        let lower = descending ? from : max(from, (cursor ?? Int64.min) &+ 1)
        let upper = descending ? min(to, cursor ?? Int64.max) : to
        let rows = descending
            ? try await store.query("""
                SELECT open_time_ns, open, high, low, close, volume, trade_count FROM candles
                WHERE symbol = \(symbol) AND timeframe = \(tf) AND open_time_ns >= \(lower) AND open_time_ns < \(upper)
                ORDER BY open_time_ns DESC LIMIT \(limit)
                """)
            : try await store.query("""
                SELECT open_time_ns, open, high, low, close, volume, trade_count FROM candles
                WHERE symbol = \(symbol) AND timeframe = \(tf) AND open_time_ns >= \(lower) AND open_time_ns < \(upper)
                ORDER BY open_time_ns LIMIT \(limit)
                """)
        var out: [CandleState] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            let t: Int64 = try row.decode(at: 0)
            out.append(CandleState(
                instrument: instrument, timeframe: timeframe, openTime: t, periodEnd: t + timeframe.nanoseconds,
                open: try row.decode(at: 1), high: try row.decode(at: 2), low: try row.decode(at: 3), close: try row.decode(at: 4),
                volume: try row.decode(at: 5), tradeCount: UInt32(clamping: try row.decode(Int64.self, at: 6))))
        }
        return out
    }

    /// Every open time of `[from, to)` that is followed by a missing period, with the next stored
    /// open time; plus the first and last stored times (for gaps at the edges of the range).
    func holes(symbol: String, timeframe: Timeframe, from: Int64, to: Int64) async throws(StoreError) -> (holes: [(Int64, Int64)], first: Int64?, last: Int64?) {
        let tf = timeframe.wireNumber
        // A session-aligned day can be 23 or 25 hours; anything more than one period plus an hour is a hole.
        let step = timeframe.nanoseconds + (timeframe == .d1 ? 3_600_000_000_000 : 0)
        let rows = try await store.query("""
            SELECT open_time_ns, next FROM (
              SELECT open_time_ns, lead(open_time_ns) OVER (ORDER BY open_time_ns) AS next FROM candles
              WHERE symbol = \(symbol) AND timeframe = \(tf) AND open_time_ns >= \(from) AND open_time_ns < \(to)) t
            WHERE next - open_time_ns > \(step)
            """)
        var holes: [(Int64, Int64)] = []
        for row in rows { holes.append((try row.decode(at: 0), try row.decode(at: 1))) }
        let edges = try await store.query("""
            SELECT min(open_time_ns), max(open_time_ns) FROM candles
            WHERE symbol = \(symbol) AND timeframe = \(tf) AND open_time_ns >= \(from) AND open_time_ns < \(to)
            """)
        return (holes, try edges[0].decodeIfPresent(at: 0), try edges[0].decodeIfPresent(at: 1))
    }

    /// The open time of the newest candle of `timeframe` built live, nil when there is none.
    func latestLiveOpenTime(_ timeframe: Timeframe) async throws(StoreError) -> Int64? {
        let rows = try await store.query("SELECT max(open_time_ns) FROM candles WHERE timeframe = \(timeframe.wireNumber) AND source = 'live'")
        return try rows[0].decodeIfPresent(at: 0)
    }

    /// Retention: deletes the `timeframe` candles recorded live whose period and whose writing are
    /// both older than `cutoff` (Unix ns). Backfilled history stays (it was asked for), and so, for
    /// a while, do candles a replay of old data has just built. Returns rows deleted.
    @discardableResult
    func deleteOlder(_ timeframe: Timeframe, than cutoff: Int64) async throws(StoreError) -> Int {
        try await store.execute("""
            DELETE FROM candles WHERE timeframe = \(timeframe.wireNumber) AND open_time_ns < \(cutoff) \
            AND source = \(Self.liveSource) AND updated_at < to_timestamp(\(Double(cutoff) / 1e9))
            """)
    }
}
