import RPC
import ServiceKit
import TradingCore

/// What a broker does with a working order at the market's current prices.
enum BrokerDecision: Sendable, Hashable {
    /// Filled in full at `price`, costing `fee`.
    case fill(price: FixedDecimal, fee: FixedDecimal)
    /// Keeps working: the market has not reached its price.
    case rest
    /// Ends unfilled (an immediate-or-cancel limit the market did not reach), for this reason.
    case expire(String)
}

/// Where orders go: `paper` simulates fills at the latest prices; exchange brokers (binance-spot, …)
/// plug in here by name. Registered in `BrokerRegistry`, chosen per account.
protocol Broker: Sendable {
    /// The registry name, stored on accounts and orders.
    var name: String { get }
    /// The account modes it trades.
    var modes: Set<AccountMode> { get }
    /// Decides `order` at `price` (nil: no price known; only a resting order can wait for one).
    func decide(_ order: Order, at price: MarketView.Price?, rules: OrderRules) throws(ExecutionError) -> BrokerDecision
}

/// The brokers this build knows. Adding one is a new file and one `register` line here.
enum BrokerRegistry {
    static func standard() -> PluginRegistry<any Broker, ExecutionSettings> {
        var r = PluginRegistry<any Broker, ExecutionSettings>(kind: "broker")
        try! r.register(PaperBroker.name) { PaperBroker(slippageBps: $0.paperSlippageBps, feeBps: $0.paperFeeBps) }
        return r
    }
}
