import RPC
import TradingCore
import Wire

/// How much to trade: a quantity (before lot rounding and the risk limits) from the account's
/// equity, the price and the model's inputs. Registered by name in `SizingRegistry`.
protocol SizingModel: Sendable {
    var name: String { get }
    /// The quantity and a sentence saying how it was reached.
    func quantity(_ request: PB.SizePositionRequest, equity: Double, price: Double) throws(RiskError) -> (Double, String)
}

/// The sizing models this build knows. Adding one is a new type and a line here.
enum SizingRegistry {
    static let standard: [String: any SizingModel] = {
        let models: [any SizingModel] = [FixedFractionSizing(), KellySizing(), ATRSizing()]
        return Dictionary(uniqueKeysWithValues: models.map { ($0.name, $0) })
    }()
}

/// Risks `risk_fraction` of equity: over the stop distance when one is given (lose that much if
/// the stop is hit), else as the position's notional.
struct FixedFractionSizing: SizingModel {
    let name = "fixed_fraction"
    func quantity(_ r: PB.SizePositionRequest, equity: Double, price: Double) throws(RiskError) -> (Double, String) {
        let fraction = try checkedFraction(r.riskFraction, "risk_fraction")
        let budget = equity * fraction
        let quantity = PositionSizing.fixedFraction(equity: equity, fraction: fraction, stopDistance: r.stopDistance, price: price)
        if r.stopDistance > 0 {
            return (quantity, "risk \(fraction * 100) % of equity (\(budget)) over a stop \(r.stopDistance) away")
        }
        return (quantity, "\(fraction * 100) % of equity (\(budget)) at \(price)")
    }
}

/// The Kelly criterion f* = w − (1 − w) / R for win rate w and payoff ratio R, scaled by
/// `risk_fraction` (0.5 = half Kelly, the default), as a share of equity at the price.
struct KellySizing: SizingModel {
    let name = "kelly"
    func quantity(_ r: PB.SizePositionRequest, equity: Double, price: Double) throws(RiskError) -> (Double, String) {
        guard r.winRate > 0, r.winRate < 1 else { throw RiskError(.invalidArgument, "win_rate must be between 0 and 1 for kelly sizing") }
        guard r.payoffRatio > 0, r.payoffRatio.isFinite else { throw RiskError(.invalidArgument, "payoff_ratio must be positive for kelly sizing") }
        let scale = r.riskFraction == 0 ? 0.5 : try checkedFraction(r.riskFraction, "risk_fraction")
        let (quantity, kelly) = PositionSizing.kelly(equity: equity, winRate: r.winRate, payoff: r.payoffRatio, scale: scale, price: price)
        guard kelly > 0 else { return (0, "Kelly fraction \(kelly) ≤ 0: the edge is negative, do not trade") }
        return (quantity, "Kelly \(kelly) × \(scale) = \(min(1, kelly * scale) * 100) % of equity at \(price)")
    }
}

/// Risks `risk_fraction` of equity over a stop `stop_distance` ATRs away (2 when unset).
struct ATRSizing: SizingModel {
    let name = "atr"
    func quantity(_ r: PB.SizePositionRequest, equity: Double, price: Double) throws(RiskError) -> (Double, String) {
        let fraction = try checkedFraction(r.riskFraction, "risk_fraction")
        guard r.atr > 0, r.atr.isFinite else { throw RiskError(.invalidArgument, "atr must be positive for atr sizing (the indicator's latest value)") }
        let multiple = r.stopDistance > 0 ? r.stopDistance : 2
        let budget = equity * fraction
        return (PositionSizing.atr(equity: equity, fraction: fraction, atr: r.atr, multiple: multiple), "risk \(fraction * 100) % of equity (\(budget)) over \(multiple) × ATR \(r.atr)")
    }
}

private func checkedFraction(_ value: Double, _ name: String) throws(RiskError) -> Double {
    guard value > 0, value <= 1 else { throw RiskError(.invalidArgument, "\(name) must be in (0, 1], e.g. 0.01 for 1 %") }
    return value
}
