import Contract
import Foundation
import Indicators
import RPC
import ServiceKit
import TradingCore
import Wire

/// The orchestrator's peers: market-data (instruments, candles), indicators (the live sets bots
/// read), risk (sizing and the checked way to execution) and execution (accounts, positions).
/// Each is optional; a call needing an absent or unreachable one is `unavailable`, naming it.
struct Peers: Sendable {
    let marketData: MarketDataClient?
    let indicators: IndicatorsClient?
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

    /// Makes sure the indicators service computes `specs` on the series, creating a set when none of
    /// its sets covers them; the set's id.
    func ensureIndicatorSet(_ symbol: String, _ timeframe: Timeframe, specs: [String]) async throws -> String {
        let client = try require(indicators, "indicators", "peers.indicators", .indicatorsUnavailable)
        let wanted = try specs.map { text throws(OrchestratorError) in
            do throws(IndicatorError) {
                let spec = try IndicatorSpec(parsing: text)
                return PB.IndicatorSpec(name: spec.name, parameters: spec.parameters)
            } catch { throw OrchestratorError(.invalidArgument, "indicator \(text): \(error.message)") }
        }
        let sets = try await relayPeer("indicators", unavailable: OrchestratorErrorCode.indicatorsUnavailable) {
            try await client.listIndicatorSets(PB.ListIndicatorSetsRequest(symbol: symbol)).sets
        }
        if let covering = sets.first(where: { $0.timeframe == timeframe.wire && Set(wanted).isSubset(of: Set($0.indicators)) }) {
            return covering.id
        }
        return try await relayPeer("indicators", unavailable: OrchestratorErrorCode.indicatorsUnavailable) {
            try await client.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: symbol, timeframe: timeframe.wire, indicators: wanted)).id
        }
    }

    func requireRisk() throws(OrchestratorError) -> RiskClient { try require(risk, "risk", "peers.risk", .riskUnavailable) }

    func requireExecution() throws(OrchestratorError) -> ExecutionClient { try require(execution, "execution", "peers.execution", .executionUnavailable) }

    private func require<C>(_ client: C?, _ peer: String, _ key: String, _ code: OrchestratorErrorCode) throws(OrchestratorError) -> C {
        guard let client else { throw OrchestratorError(code, "\(peer) is not configured: set \(key)=host:port") }
        return client
    }
}
