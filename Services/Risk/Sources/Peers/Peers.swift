import Contract
import Foundation
import RPC
import ServiceKit
import TradingCore
import Wire

/// The risk service's view of its peers: accounts, positions and trades from execution (which owns
/// them), prices and instruments from market-data. Absent or failing peers become `unavailable`
/// errors naming the peer.
struct Peers: Sendable {
    let execution: ExecutionClient?
    let marketData: MarketDataClient?

    /// What an account holds, as the rules need it.
    struct AccountState: Sendable {
        var account: PB.Account
        var positions: [PB.Position]
        var pnlToday: FixedDecimal
        var peakEquity: FixedDecimal
    }

    /// The account's state; the day's realized P&L and the equity peak are read only when `limits` use them.
    func accountState(_ accountId: String, limits: Limits) async throws -> AccountState {
        let execution = try requireExecution()
        let account = try await relay("execution", .executionUnavailable) { try await execution.getAccount(PB.AccountRequest(accountId: accountId)) }
        let positions = try await relay("execution", .executionUnavailable) {
            try await execution.listPositions(PB.AccountRequest(accountId: accountId)).positions
        }
        var pnlToday = FixedDecimal(wire: account.unrealizedPnl)
        if limits.dailyLossLimit > .zero {
            let midnight = Int64(Date().timeIntervalSince1970) / 86_400 * 86_400 * 1_000_000_000
            var cursor = ""
            repeat {
                let page = try await relay("execution", .executionUnavailable) {
                    try await execution.listTrades(PB.ListTradesRequest(
                        accountId: accountId, range: PB.TimeRange(fromNs: midnight), page: PB.PageRequest(limit: 1000, cursor: cursor)))
                }
                for t in page.trades { pnlToday = try Self.exact { () throws(ArithmeticError) in try pnlToday + FixedDecimal(wire: t.realizedPnl) } }
                cursor = page.page?.nextCursor ?? ""
            } while !cursor.isEmpty
        }
        var peak = FixedDecimal(wire: account.equity)
        if limits.maxDrawdown > 0 {
            let samples = try await relay("execution", .executionUnavailable) {
                try await execution.getEquityHistory(PB.EquityHistoryRequest(accountId: accountId)).samples
            }
            for s in samples { peak = max(peak, FixedDecimal(wire: s.equity)) }
        }
        return AccountState(account: account, positions: positions, pnlToday: pnlToday, peakEquity: peak)
    }

    /// The latest traded price of `symbol`.
    func lastPrice(_ symbol: String) async throws -> FixedDecimal {
        let marketData = try requireMarketData()
        let quote = try await relay("market-data", .marketDataUnavailable) { try await marketData.getQuote(PB.GetQuoteRequest(symbol: symbol)) }
        guard let price = try? FixedDecimal(approximating: quote.last), price > .zero else {
            throw RiskError(.noPrice, "market-data has no usable price for \(symbol); give the intent a price")
        }
        return price
    }

    /// The instrument `symbol` names (canonical symbol, lot size).
    func instrument(_ symbol: String) async throws -> PB.Instrument {
        let marketData = try requireMarketData()
        return try await relay("market-data", .marketDataUnavailable) { try await marketData.getInstrument(PB.GetInstrumentRequest(symbol: symbol)) }
    }

    func requireExecution() throws(RiskError) -> ExecutionClient {
        guard let execution else { throw RiskError(.executionUnavailable, "execution is not configured: set peers.execution=host:port") }
        return execution
    }

    private func requireMarketData() throws(RiskError) -> MarketDataClient {
        guard let marketData else { throw RiskError(.marketDataUnavailable, "market-data is not configured: set peers.market_data=host:port") }
        return marketData
    }

    /// Runs a peer call (see `relayPeer`).
    func relay<R>(_ peer: String, _ code: RiskErrorCode, _ call: () async throws -> R) async throws -> R {
        try await relayPeer(peer, unavailable: code, call)
    }

    static func exact<R>(_ body: () throws(ArithmeticError) -> R) throws(RiskError) -> R {
        do { return try body() } catch { throw RiskError(.arithmetic, "the amounts do not fit the fixed-point range: \(error.message)") }
    }
}
