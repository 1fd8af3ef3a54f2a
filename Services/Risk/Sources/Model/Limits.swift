import Contract
import RPC
import TradingCore
import Wire

/// One account's risk limits; zero turns a limit off.
public struct Limits: Sendable, Hashable {
    /// Most notional one symbol's position may reach.
    public var maxPositionNotional: FixedDecimal
    /// Most symbols held at once.
    public var maxOpenPositions: Int
    /// Most the account may lose in a UTC day (realized today plus unrealized now) before it only reduces.
    public var dailyLossLimit: FixedDecimal
    /// Most fall from peak equity, as a fraction (0.25 = 25 %), before it only reduces.
    public var maxDrawdown: Double
    /// Most notional one order may have.
    public var maxOrderNotional: FixedDecimal
    /// Most gross exposure as a multiple of equity.
    public var maxLeverage: Double

    public init(
        maxPositionNotional: FixedDecimal, maxOpenPositions: Int, dailyLossLimit: FixedDecimal, maxDrawdown: Double, maxOrderNotional: FixedDecimal,
        maxLeverage: Double
    ) {
        self.maxPositionNotional = maxPositionNotional
        self.maxOpenPositions = maxOpenPositions
        self.dailyLossLimit = dailyLossLimit
        self.maxDrawdown = maxDrawdown
        self.maxOrderNotional = maxOrderNotional
        self.maxLeverage = maxLeverage
    }

    /// Every limit off.
    static let off = Limits(
        maxPositionNotional: .zero, maxOpenPositions: 0, dailyLossLimit: .zero, maxDrawdown: 0, maxOrderNotional: .zero, maxLeverage: 0)

    /// The limits a wire message sets, checked.
    init(wire w: PB.RiskLimits) throws(RiskError) {
        self.init(
            maxPositionNotional: FixedDecimal(wire: w.maxPositionNotional), maxOpenPositions: Int(w.maxOpenPositions),
            dailyLossLimit: FixedDecimal(wire: w.dailyLossLimit), maxDrawdown: w.maxDrawdown, maxOrderNotional: FixedDecimal(wire: w.maxOrderNotional),
            maxLeverage: w.maxLeverage)
        for (name, value) in [("max_position_notional", maxPositionNotional), ("daily_loss_limit", dailyLossLimit), ("max_order_notional", maxOrderNotional)]
        where value.isNegative {
            throw RiskError(.invalidArgument, "\(name) must not be negative (0 turns it off)")
        }
        guard maxDrawdown.isFinite, (0...1).contains(maxDrawdown) else {
            throw RiskError(.invalidArgument, "max_drawdown is a fraction of peak equity between 0 and 1 (0.25 = 25 %; 0 turns it off)")
        }
        guard maxLeverage.isFinite, (0...100).contains(maxLeverage) else {
            throw RiskError(.invalidArgument, "max_leverage must be between 0 and 100 (0 turns it off)")
        }
    }

    func wire(account: String) -> PB.RiskLimits {
        PB.RiskLimits(
            accountId: account, maxPositionNotional: maxPositionNotional.wire, maxOpenPositions: UInt32(clamping: maxOpenPositions),
            dailyLossLimit: dailyLossLimit.wire, maxDrawdown: maxDrawdown, maxOrderNotional: maxOrderNotional.wire, maxLeverage: maxLeverage)
    }
}
