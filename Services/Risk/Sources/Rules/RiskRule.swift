import ServiceKit
import TradingCore

/// One pre-trade check. Rules are registered by name and all run for each order; the first refusal
/// is the answer's outcome, and every rule's result is listed.
protocol RiskRule: Sendable {
    /// The stable name (`risk.max_order_notional`), also the refusal's code.
    var name: String { get }
    /// Why `context`'s order is refused, or nil when it passes.
    func refusal(_ context: CheckContext) throws(ArithmeticError) -> String?
}

/// The rules this build knows, in the order they run. Adding one is a new type and a line here.
enum RuleRegistry {
    static let standard: [any RiskRule] = [
        KillSwitchRule(), MaxOrderNotionalRule(), MaxPositionNotionalRule(), MaxOpenPositionsRule(), DailyLossRule(), DrawdownRule(),
        LeverageRule(),
    ]
}
