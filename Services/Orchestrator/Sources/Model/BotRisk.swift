import Contract
import RPC
import TradingCore
import Wire

/// A bot's risk settings, validated: how much of equity a trade risks, how it is sized, a cap on
/// the position's notional and the protective exits placed with every entry.
struct BotRisk: Sendable, Hashable {
    /// Fraction of equity risked per trade (0.02 when unset).
    var riskPerTrade = 0.02
    /// Most notional the bot's position may have; 0 leaves it to the account's risk limits.
    var maxPositionNotional = 0.0
    /// Stop loss below the entry, as a fraction of it; 0 for none.
    var stopLossPct = 0.0
    /// Take profit above the entry, as a fraction of it; 0 for none.
    var takeProfitPct = 0.0
    /// `fixed_fraction` or `atr` (the risk service's models).
    var sizingModel = "fixed_fraction"

    static let models = ["fixed_fraction", "atr"]

    init(_ wire: PB.BotRiskSettings?) throws(OrchestratorError) {
        guard let wire else { return }
        if wire.riskPerTrade != 0 {
            guard wire.riskPerTrade > 0, wire.riskPerTrade <= 1 else {
                throw OrchestratorError(.invalidArgument, "risk.risk_per_trade is \(wire.riskPerTrade); give a fraction in (0, 1], e.g. 0.02 for 2 %")
            }
            riskPerTrade = wire.riskPerTrade
        }
        let cap = FixedDecimal(wire: wire.maxPositionNotional)
        guard cap >= .zero else { throw OrchestratorError(.invalidArgument, "risk.max_position_notional is negative (\(cap))") }
        maxPositionNotional = cap.doubleValue
        guard wire.stopLossPct.isFinite, (0..<1).contains(wire.stopLossPct) else {
            throw OrchestratorError(.invalidArgument, "risk.stop_loss_pct is \(wire.stopLossPct); give a fraction in [0, 1), e.g. 0.02 for 2 % below entry")
        }
        guard wire.takeProfitPct.isFinite, (0...10).contains(wire.takeProfitPct) else {
            throw OrchestratorError(.invalidArgument, "risk.take_profit_pct is \(wire.takeProfitPct); give a fraction in [0, 10], e.g. 0.04 for 4 % above entry")
        }
        stopLossPct = wire.stopLossPct
        takeProfitPct = wire.takeProfitPct
        if !wire.sizingModel.isEmpty {
            guard Self.models.contains(wire.sizingModel) else {
                throw OrchestratorError(
                    .invalidArgument, "risk.sizing_model \"\(wire.sizingModel.prefix(40))\" is not one a bot can use; use \(Self.models.joined(separator: " or "))")
            }
            sizingModel = wire.sizingModel
        }
    }

    var wire: PB.BotRiskSettings {
        PB.BotRiskSettings(
            riskPerTrade: riskPerTrade, maxPositionNotional: ((try? FixedDecimal(approximating: maxPositionNotional)) ?? .zero).wire,
            stopLossPct: stopLossPct, takeProfitPct: takeProfitPct, sizingModel: sizingModel)
    }

    /// Indicators the sizing model reads beside the strategy's (ATR for `atr`).
    func extraIndicators(_ p: StrategyParameters) -> [String] { sizingModel == "atr" ? ["atr:\(p.period("atr_period"))"] : [] }

    /// What the risk service is asked to size: the model and its inputs at `price`.
    func sizing(price: Double, features: MarketFeatures, parameters p: StrategyParameters) -> PB.SizePositionRequest {
        var request = PB.SizePositionRequest(model: sizingModel, riskFraction: riskPerTrade)
        if sizingModel == "atr" {
            request.atr = features.value("atr:\(p.period("atr_period"))") ?? 0
        } else if stopLossPct > 0 {
            request.stopDistance = price * stopLossPct
        }
        return request
    }

    /// The quantity the risk service's model gives for `sizing(...)` (backtests size locally, the
    /// same formulas: budget = equity × fraction, over the stop distance, over 2 ATR, or as notional).
    func quantity(equity: Double, price: Double, features: MarketFeatures, parameters p: StrategyParameters) -> Double {
        let request = sizing(price: price, features: features, parameters: p)
        let budget = equity * riskPerTrade
        if sizingModel == "atr" { return request.atr > 0 ? budget / (request.atr * 2) : 0 }
        return request.stopDistance > 0 ? budget / request.stopDistance : budget / price
    }

    /// The stop loss and take profit for an entry at `price`, rounded to 8 decimals.
    func exits(entry price: Double) -> (stopLoss: PB.Decimal?, takeProfit: PB.Decimal?) {
        func level(_ v: Double) -> PB.Decimal? { (try? FixedDecimal(approximating: v)).map(\.wire) }
        return (stopLossPct > 0 ? level(price * (1 - stopLossPct)) : nil, takeProfitPct > 0 ? level(price * (1 + takeProfitPct)) : nil)
    }
}
