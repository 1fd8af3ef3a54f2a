import Contract
import Foundation
import TradingCore
import Wire

/// Replays a strategy over closed candles as a long-only paper account, the way a bot trades with
/// execution's defaults (no shorting): a buy decision while flat opens a position sized like the
/// risk service's fixed fraction (or ATR) model, a sell decision closes it, and the stop loss and
/// take profit are checked against each later bar's low and high (the stop first when a bar
/// reaches both: the cautious reading). Fills are at the bar's close plus slippage, against the
/// trader; fees are a fraction of notional. Money here is Double: a simulation, reported rounded
/// to 8 decimals.
struct Backtester {
    let strategy: Strategy
    let risk: BotRisk
    let initialCash: Double
    let feeRate: Double
    let slippageBps: Double
    let timeframe: Timeframe
    /// Most points kept in the reported equity curve (metrics use every bar).
    var curvePoints = 2_000

    struct Outcome {
        var trades: [PB.BacktestTrade] = []
        var curve: [(ts: Int64, equity: Double)] = []
        var finalEquity: Double
        var sharpe = 0.0
        var maxDrawdown = 0.0
        var winRate = 0.0
    }

    private struct Holding {
        var quantity: Double
        var entryPrice: Double
        var entryNs: Int64
        var entryFee: Double
        var stop: Double?
        var target: Double?
    }

    func run(_ candles: [PB.Candle]) throws(OrchestratorError) -> Outcome {
        var features = try FeatureComputer(specs: strategy.indicatorSpecs + risk.extraIndicators(strategy.parameters))
        var cash = initialCash
        var holding: Holding?
        var outcome = Outcome(finalEquity: initialCash)
        var equities: [Double] = []
        equities.reserveCapacity(candles.count)
        let slip = slippageBps / 10_000

        func close(_ h: Holding, at rawPrice: Double, ts: Int64) {
            let price = rawPrice * (1 - slip)
            let fee = price * h.quantity * feeRate
            cash += price * h.quantity - fee
            let pnl = (price - h.entryPrice) * h.quantity - fee - h.entryFee
            outcome.trades.append(PB.BacktestTrade(
                side: .buy, entryNs: h.entryNs, exitNs: ts, entryPrice: Self.money(h.entryPrice), exitPrice: Self.money(price),
                quantity: Self.money(h.quantity), pnl: Self.money(pnl)))
        }

        for candle in candles where candle.closed {
            let f = features.next(candle)
            if let h = holding {
                if let stop = h.stop, candle.low <= stop {
                    close(h, at: min(stop, candle.open), ts: candle.openTimeNs)
                    holding = nil
                } else if let target = h.target, candle.high >= target {
                    close(h, at: max(target, candle.open), ts: candle.openTimeNs)
                    holding = nil
                }
            }
            let action = strategy.decide(f).action
            if action == .sell, let h = holding {
                close(h, at: candle.close, ts: candle.openTimeNs)
                holding = nil
            } else if action == .buy, holding == nil {
                let price = candle.close * (1 + slip)
                let equity = cash
                var quantity = risk.quantity(equity: equity, price: price, features: f, parameters: strategy.parameters)
                quantity = min(quantity, cash / (price * (1 + feeRate)))
                if risk.maxPositionNotional > 0 { quantity = min(quantity, risk.maxPositionNotional / price) }
                if quantity > 0, quantity.isFinite {
                    let fee = price * quantity * feeRate
                    cash -= price * quantity + fee
                    holding = Holding(
                        quantity: quantity, entryPrice: price, entryNs: candle.openTimeNs, entryFee: fee,
                        stop: risk.stopLossPct > 0 ? price * (1 - risk.stopLossPct) : nil,
                        target: risk.takeProfitPct > 0 ? price * (1 + risk.takeProfitPct) : nil)
                }
            }
            let equity = cash + (holding.map { $0.quantity * candle.close } ?? 0)
            equities.append(equity)
            outcome.curve.append((candle.openTimeNs, equity))
        }
        if let h = holding, let last = candles.last(where: \.closed) {
            close(h, at: last.close, ts: last.openTimeNs)
            equities[equities.count - 1] = cash
            outcome.curve[outcome.curve.count - 1].equity = cash
        }
        outcome.finalEquity = cash
        outcome.maxDrawdown = EquityStatistics.maxDrawdown(equities)
        outcome.sharpe = EquityStatistics.sharpe(equities, periodsPerYear: 365.25 * 86_400e9 / Double(timeframe.nanoseconds))
        let wins = outcome.trades.filter { FixedDecimal(wire: $0.pnl) > .zero }.count
        outcome.winRate = outcome.trades.isEmpty ? 0 : Double(wins) / Double(outcome.trades.count)
        if outcome.curve.count > curvePoints {
            let stride = (outcome.curve.count + curvePoints - 1) / curvePoints
            let last = outcome.curve.last!
            outcome.curve = outcome.curve.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
            if outcome.curve.last?.ts != last.ts { outcome.curve.append(last) }
        }
        return outcome
    }

    /// A Double amount on the wire, rounded to the fixed-point grid (0 when it does not fit).
    static func money(_ value: Double) -> PB.Decimal {
        ((try? FixedDecimal(approximating: value)) ?? .zero).wire
    }
}
