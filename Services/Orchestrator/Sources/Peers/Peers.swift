import Contract
import Foundation
import Indicators
import RPC
import ServiceKit
import TradingCore
import Wire

/// The orchestrator's peers: market-data (instruments, candles), risk (the checked way to
/// execution) and execution (accounts, positions). Bots compute their indicators in-process with
/// the same library as the indicators service, over market-data's candles.
/// Each is optional; a call needing an absent or unreachable one is `unavailable`, naming it.
struct Peers: Sendable {
    let marketData: MarketDataClient?
    let risk: RiskClient?
    let execution: ExecutionClient?

    func instrument(_ symbol: String) async throws -> PB.Instrument {
        let client = try require(marketData, "market-data", "peers.market_data", .marketDataUnavailable)
        return try await relayPeer("market-data", unavailable: OrchestratorErrorCode.marketDataUnavailable) {
            try await client.getInstrument(PB.GetInstrumentRequest(symbol: symbol))
        }
    }

    /// Closed candles of a series: the newest `count` (oldest first), or those in `range`, at most `limit`.
    func candles(_ symbol: String, _ timeframe: Timeframe, newest count: Int? = nil, range: PB.TimeRange? = nil, limit: Int) async throws -> [PB.Candle] {
        let client = try require(marketData, "market-data", "peers.market_data", .marketDataUnavailable)
        var out: [PB.Candle] = []
        var cursor = ""
        let wanted = min(count ?? limit, limit)
        repeat {
            let page = try await relayPeer("market-data", unavailable: OrchestratorErrorCode.marketDataUnavailable) {
                try await client.getCandles(PB.GetCandlesRequest(
                    symbol: symbol, timeframe: timeframe.wire, range: range, page: PB.PageRequest(limit: UInt32(min(10_000, wanted - out.count)), cursor: cursor),
                    descending: count != nil))
            }
            out += page.candles.filter(\.closed)
            cursor = page.page?.nextCursor ?? ""
        } while !cursor.isEmpty && out.count < wanted
        return count != nil ? out.reversed() : out
    }

    /// `candles(...)`, but for a series nobody has watched yet (a fresh platform, a new symbol):
    /// fewer than `atLeast` stored, market-data fills the last `fill` periods from its feed's
    /// history, once, and they are read again.
    func candles(
        _ symbol: String, _ timeframe: Timeframe, newest count: Int? = nil, range: PB.TimeRange? = nil, limit: Int, atLeast: Int, fill: Int
    ) async throws -> [PB.Candle] {
        let stored = try await candles(symbol, timeframe, newest: count, range: range, limit: limit)
        guard stored.count < atLeast, try await backfill(symbol, timeframe, bars: fill) else { return stored }
        return try await candles(symbol, timeframe, newest: count, range: range, limit: limit)
    }

    /// Asks market-data to fill `symbol`'s closed `timeframe` periods of the last `bars` from its feed's
    /// history (what it has is kept); false when it could not (no history for that feed).
    func backfill(_ symbol: String, _ timeframe: Timeframe, bars: Int) async throws -> Bool {
        let client = try require(marketData, "market-data", "peers.market_data", .marketDataUnavailable)
        let to = timeframe.periodStart(containing: WallClock.nowNs)
        do {
            _ = try await relayPeer("market-data", unavailable: OrchestratorErrorCode.marketDataUnavailable) {
                try await client.backfill(PB.BackfillRequest(
                    symbol: symbol, timeframe: timeframe.wire, range: PB.TimeRange(fromNs: to - Int64(bars) * timeframe.nanoseconds, toNs: to)))
            }
            return true
        } catch is RPCError {
            return false
        }
    }

    func requireRisk() throws(OrchestratorError) -> RiskClient { try require(risk, "risk", "peers.risk", .riskUnavailable) }

    func requireExecution() throws(OrchestratorError) -> ExecutionClient { try require(execution, "execution", "peers.execution", .executionUnavailable) }

    private func require<C>(_ client: C?, _ peer: String, _ key: String, _ code: OrchestratorErrorCode) throws(OrchestratorError) -> C {
        guard let client else { throw OrchestratorError(code, "\(peer) is not configured: set \(key)=host:port") }
        return client
    }
}
