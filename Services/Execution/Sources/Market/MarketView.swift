import Contract
import Foundation
import RPC
import Synchronization
import TradingCore
import Wire

/// What execution knows of the market: instruments and latest prices. Ticks from the bus keep the
/// prices fresh; a symbol not ticked since start is asked of market-data (GetQuote), which also
/// names instruments (GetInstrument; their order rules are cached: tick and lot sizes do not change
/// while running).
final class MarketView: Sendable {
    /// A symbol's latest prices; bid/ask are zero when the feed has none.
    struct Price: Sendable, Hashable {
        var last: Double
        var bid: Double
        var ask: Double
        var tsNs: Int64
    }

    /// nil when `peers.market_data` is not configured.
    let client: MarketDataClient?
    private let prices = Mutex<[String: Price]>([:])
    private let rules = Mutex<[String: OrderRules]>([:])

    init(client: MarketDataClient?) { self.client = client }

    /// Records a tick; returns its price when it is newer than the one held.
    @discardableResult
    func record(_ tick: PB.Tick) -> Price? {
        guard tick.price.isFinite, tick.price > 0 else { return nil }
        let price = Price(
            last: tick.price, bid: tick.bid.isFinite && tick.bid > 0 ? tick.bid : 0, ask: tick.ask.isFinite && tick.ask > 0 ? tick.ask : 0,
            tsNs: tick.tsNs)
        return prices.withLock { book in
            if let held = book[tick.symbol], held.tsNs > price.tsNs { return nil }
            book[tick.symbol] = price
            return price
        }
    }

    /// The latest price of `symbol`: the newest tick, else market-data's quote.
    func price(_ symbol: String) async throws(ExecutionError) -> Price {
        if let held = prices.withLock({ $0[symbol] }) { return held }
        let quote = try await relay(notFound: .noPrice) { try await self.requireClient().getQuote(PB.GetQuoteRequest(symbol: symbol)) }
        guard quote.last.isFinite, quote.last > 0 else {
            throw ExecutionError(.noPrice, "market-data has no price for \(symbol) yet; wait for its feed to tick")
        }
        let price = Price(last: quote.last, bid: max(0, quote.bid), ask: max(0, quote.ask), tsNs: quote.tsNs)
        prices.withLock { book in
            if book[symbol].map({ $0.tsNs < price.tsNs }) ?? true { book[symbol] = price }
        }
        return price
    }

    /// The latest price held in memory, without asking anyone (for marking positions).
    func heldPrice(_ symbol: String) -> Price? { prices.withLock { $0[symbol] } }

    /// The order rules of the instrument `symbol` names (any spelling market-data accepts), its
    /// canonical symbol included.
    func rules(_ symbol: String) async throws(ExecutionError) -> OrderRules {
        if let held = rules.withLock({ $0[symbol] }) { return held }
        let instrument = try await relay(notFound: .unknownSymbol) { try await self.requireClient().getInstrument(PB.GetInstrumentRequest(symbol: symbol)) }
        let found = OrderRules(wire: instrument)
        rules.withLock {
            $0[symbol] = found
            $0[found.symbol] = found
        }
        return found
    }

    private func requireClient() throws(ExecutionError) -> MarketDataClient {
        guard let client else {
            throw ExecutionError(.marketDataUnavailable, "market-data is not configured: set peers.market_data=host:port")
        }
        return client
    }

    /// Runs a market-data call; its failures keep their meaning (`notFound` says what "not found"
    /// means for this call) and say they came from market-data.
    private func relay<R>(notFound: ExecutionErrorCode, _ call: () async throws -> R) async throws(ExecutionError) -> R {
        do { return try await call() } catch let error as ExecutionError { throw error } catch let error as RPCError {
            switch error.code {
            case .notFound: throw ExecutionError(notFound, "market-data: \(error.message)")
            case .invalidArgument: throw ExecutionError(.unknownSymbol, "market-data: \(error.message)")
            default: throw ExecutionError(.marketDataUnavailable, "market-data: \(error.message)")
            }
        } catch {
            throw ExecutionError(.marketDataUnavailable, "market-data: \(error)")
        }
    }
}
