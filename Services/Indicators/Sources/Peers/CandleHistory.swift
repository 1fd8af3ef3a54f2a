import Contract
import RPC
import Wire

/// Closed candles from market-data's history over RPC, paged (market-data owns the candles; this
/// service never reads its tables).
struct CandleHistory: Sendable {
    /// nil when `peers.market_data` is not configured: every call answers `unavailable`.
    let client: MarketDataClient?
    /// Candles per GetCandles call (market-data's default maximum page).
    var pageSize = 10_000

    /// The market-data client, or why there is none.
    func requireClient() throws(IndicatorsError) -> MarketDataClient {
        guard let client else {
            throw IndicatorsError(.marketDataUnavailable, "market-data is not configured: set peers.market_data=host:port")
        }
        return client
    }

    /// Calls `body` with each page of closed candles of `key` in `[from, to)`, oldest first, until
    /// the range is exhausted or `body` returns false.
    func forEachPage(_ key: SeriesKey, from: Int64, to: Int64 = 0, _ body: ([PB.Candle]) throws -> Bool) async throws {
        let client = try requireClient()
        var cursor = ""
        repeat {
            let response = try await Self.relay {
                try await client.getCandles(PB.GetCandlesRequest(
                    symbol: key.symbol, timeframe: key.timeframe.wire, range: PB.TimeRange(fromNs: from, toNs: to),
                    page: PB.PageRequest(limit: UInt32(pageSize), cursor: cursor)))
            }
            guard try body(response.candles) else { return }
            cursor = response.page?.nextCursor ?? ""
        } while !cursor.isEmpty
    }

    /// The newest `count` closed candles of `key`, oldest first.
    func newest(_ key: SeriesKey, count: Int) async throws -> [PB.Candle] {
        let client = try requireClient()
        var out: [PB.Candle] = []
        var cursor = ""
        while out.count < count {
            let limit = min(pageSize, count - out.count)
            let response = try await Self.relay {
                try await client.getCandles(PB.GetCandlesRequest(
                    symbol: key.symbol, timeframe: key.timeframe.wire, page: PB.PageRequest(limit: UInt32(limit), cursor: cursor),
                    descending: true))
            }
            out += response.candles
            cursor = response.page?.nextCursor ?? ""
            if cursor.isEmpty { break }
        }
        return out.reversed()
    }

    /// Runs a market-data call; its failure keeps the status and says it came from market-data.
    static func relay<R>(_ call: () async throws -> R) async throws -> R {
        do { return try await call() } catch let error as RPCError {
            throw RPCError(code: error.code, message: "market-data: \(error.message)", domainCode: error.domainCode)
        }
    }
}
