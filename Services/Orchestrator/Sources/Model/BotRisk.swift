import Contract
import RPC
import Strategies
import TradingCore
import Wire

/// A bot's (or backtest's) risk settings, validated: how much of equity a trade risks, how it is
/// sized, a cap on the position's notional and the protective exits placed with every entry. All
/// but the cap become part of the strategy document (`apply(to:)`).
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
    /// Whether a fraction or a model was given (else the strategy's own sizing stands).
    private(set) var setsSizing = false

    init(_ wire: PB.BotRiskSettings?) throws(OrchestratorError) {
        guard let wire else { return }
        setsSizing = wire.riskPerTrade != 0 || !wire.sizingModel.isEmpty
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

    /// As stored and echoed: the sizing fields stay empty unless they were given, so the strategy's
    /// own sizing keeps applying after a round trip.
    var wire: PB.BotRiskSettings {
        PB.BotRiskSettings(
            riskPerTrade: setsSizing ? riskPerTrade : 0, maxPositionNotional: ((try? FixedDecimal(approximating: maxPositionNotional)) ?? .zero).wire,
            stopLossPct: stopLossPct, takeProfitPct: takeProfitPct, sizingModel: setsSizing ? sizingModel : "")
    }

    /// Puts the settings given into `document`: a stop loss and take profit as percent exits, and,
    /// when a fraction or model was given, the sizing (`fixed_fraction`: risk to the stop, or that
    /// share of equity without one; `atr`: risk over 2 ATR(14)). Sizing and exits are then the
    /// strategy's own, one code for backtests and bots.
    func apply(to document: inout StrategyDocument) {
        if stopLossPct > 0 { document.exits.stopLoss = .percent(.literal(stopLossPct * 100)) }
        if takeProfitPct > 0 { document.exits.takeProfit = .percent(.literal(takeProfitPct * 100)) }
        guard setsSizing else { return }
        var sizing = StrategyDocument.Sizing.allIn
        sizing.percent = .literal(riskPerTrade * 100)
        if sizingModel == "atr" {
            sizing.model = .atr
            sizing.multiple = .literal(2)
            sizing.period = .literal(14)
        } else {
            sizing.model = document.exits.stopLoss == nil ? .percentEquity : .riskPercent
        }
        document.sizing = sizing
    }
}
