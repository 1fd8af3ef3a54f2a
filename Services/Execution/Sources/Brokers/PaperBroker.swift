import RPC
import TradingCore

/// Simulated fills at the latest prices: a buy pays the ask (the last price when the feed has no
/// quote) plus `slippageBps`, a sell receives the bid minus it, rounded to the instrument's tick
/// against the trader; the fee is `feeBps` of the notional. Limit orders fill at the better of
/// their limit and that price once the market reaches them; stop orders become market orders when
/// the last price crosses the stop.
struct PaperBroker: Broker {
    static let name = "paper"
    var name: String { Self.name }
    var modes: Set<AccountMode> { [.paper] }
    /// Price slippage against the trader, in basis points.
    let slippageBps: Double
    /// Fee, in basis points of the notional.
    let feeBps: Double

    func decide(_ order: Order, at price: MarketView.Price?, rules: OrderRules) throws(ExecutionError) -> BrokerDecision {
        guard let price else {
            if order.type == .market { throw ExecutionError(.noPrice, "no price for \(order.symbol) yet; a market order needs one") }
            return .rest
        }
        let side = order.side
        let executable = try executablePrice(side, price, tick: rules.tickSize)
        let fillPrice: FixedDecimal
        switch order.type {
        case .market:
            fillPrice = executable
        case .limit:
            let limit = order.limitPrice ?? .zero
            guard side == .buy ? executable <= limit : executable >= limit else {
                return order.timeInForce == .ioc || order.timeInForce == .fok ? .expire("the market did not reach the limit \(limit)") : .rest
            }
            fillPrice = side == .buy ? min(executable, limit) : max(executable, limit)
        case .stop:
            let stop = order.stopPrice ?? .zero
            let last = try decimal(price.last)
            guard side == .buy ? last >= stop : last <= stop else { return .rest }
            fillPrice = executable
        }
        let quantity = order.quantity
        do {
            return .fill(price: fillPrice, fee: try FillPricing.fee(quantity, at: fillPrice, rate: try FillPricing.rate(bps: feeBps)))
        } catch {
            throw ExecutionError(.arithmetic, "\(quantity) × \(fillPrice) does not fit: \(error.message)")
        }
    }

    /// The price a `side` order would get now: the touch plus slippage, rounded to the tick against
    /// the trader (`FillPricing`, the backtester's rule too).
    private func executablePrice(_ side: Side, _ price: MarketView.Price, tick: FixedDecimal) throws(ExecutionError) -> FixedDecimal {
        let touch = try decimal(side == .buy ? (price.ask > 0 ? price.ask : price.last) : (price.bid > 0 ? price.bid : price.last))
        do { return try FillPricing.price(touch, side, slippageRate: try FillPricing.rate(bps: slippageBps), tick: tick) } catch {
            throw ExecutionError(.arithmetic, "cannot price a fill at \(touch) with tick \(tick): \(error.message)")
        }
    }

    private func decimal(_ value: Double) throws(ExecutionError) -> FixedDecimal {
        do { return try FixedDecimal(approximating: value) } catch { throw ExecutionError(.noPrice, "the market price \(value) is not usable") }
    }
}
