import Bus
import Contract
import Foundation
import Logging
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

/// A running bot as the supervisor keeps it: the stored bot and what was resolved from it.
struct BotPlan: Sendable {
    var bot: PB.Bot
    let strategy: Strategy
    let risk: BotRisk
    /// The instrument's lot: sized quantities are rounded down to it.
    let lot: FixedDecimal
}

/// What a bot does with one closed bar's indicator snapshot: the agents vote, the decision is
/// stored (once per bot and bar) and published, and a buy or sell becomes an order intent sized
/// and checked by risk, which submits what it approves to execution.
///
/// Long only, one position per bot: a buy while flat opens (with the bot's stop loss and take
/// profit), a sell while long closes it; a buy while long and a sell while flat change nothing
/// (said in the decision). The client order id is the bot and bar, so a retry never trades twice.
struct BotTrader: Sendable {
    let store: Store
    let bus: Bus?
    let peers: Peers
    let statuses: Broadcaster<PB.BotStatus>
    let logger: Logger

    func act(on snapshot: PB.IndicatorSnapshot, _ plan: BotPlan) async {
        let features = MarketFeatures(close: snapshot.close, values: snapshot.values)
        let consensus = plan.strategy.decide(features)
        var decision = PB.Decision(
            id: UUID().uuidString.lowercased(), botId: plan.bot.id, symbol: plan.bot.symbol, timeframe: plan.bot.timeframe,
            candleOpenTimeNs: snapshot.openTimeNs, action: consensus.action, confidence: consensus.confidence, reasoning: consensus.reasoning,
            opinions: consensus.opinions, createdAtNs: WallClock.nowNs)
        do {
            guard try await OrchestratorTables.insert(decision, store) else { return }
        } catch {
            logger.error("cannot store a decision; the bar is skipped", metadata: ["bot.id": "\(plan.bot.id)", "error": "\(error)"])
            return
        }
        if consensus.action == .buy || consensus.action == .sell {
            let (orderId, outcome) = await intent(consensus.action, features, bar: snapshot.openTimeNs, plan, decisionId: decision.id)
            decision.orderId = orderId
            decision.riskOutcome = outcome
            try? await OrchestratorTables.update(decision, store)
        }
        if let bus { _ = try? bus.publish(BusChannel.decision(bot: plan.bot.id), decision) }
        statuses.publish([PB.BotStatus(
            botId: plan.bot.id, state: .running, tsNs: WallClock.nowNs, lastDecision: decision,
            message: decision.riskOutcome.map { "\(consensus.action.word): \($0.message)" } ?? consensus.action.word)])
    }

    /// Turns a buy or sell into an order through risk; the order id (if any) and what came of it.
    private func intent(_ action: PB.Action, _ features: MarketFeatures, bar: Int64, _ plan: BotPlan, decisionId: String) async
        -> (String, PB.Status)
    {
        let bot = plan.bot
        let price = features.close
        do {
            let risk = try peers.requireRisk()
            let execution = try peers.requireExecution()
            let positions = try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
                try await execution.listPositions(PB.AccountRequest(accountId: bot.accountId)).positions
            }
            let held = FixedDecimal(wire: positions.first { $0.symbol == bot.symbol }?.quantity)
            var order = PB.SubmitOrderRequest(
                accountId: bot.accountId, clientOrderId: "bot:\(bot.id):\(bar)", symbol: bot.symbol, type: .market, botId: bot.id,
                decisionId: decisionId)
            if action == .sell {
                guard held > .zero else { return ("", PB.Status(code: .ok, message: "no position to sell; bots do not sell short")) }
                order.side = .sell
                order.quantity = held.wire
            } else {
                guard held <= .zero else { return ("", PB.Status(code: .ok, message: "already long \(held); one position per bot")) }
                order.side = .buy
                var sizing = plan.risk.sizing(price: price, features: features, parameters: plan.strategy.parameters)
                sizing.accountId = bot.accountId
                sizing.symbol = bot.symbol
                sizing.side = .buy
                sizing.price = ((try? FixedDecimal(approximating: price)) ?? .zero).wire
                let sized = try await relayPeer("risk", unavailable: OrchestratorErrorCode.riskUnavailable) { try await risk.sizePosition(sizing) }
                var quantity = FixedDecimal(wire: sized.quantity)
                if plan.risk.maxPositionNotional > 0, price > 0, quantity.doubleValue * price > plan.risk.maxPositionNotional {
                    let capped = (try? FixedDecimal(approximating: plan.risk.maxPositionNotional / price)) ?? .zero
                    quantity = plan.lot > .zero ? ((try? capped.rounded(toMultipleOf: plan.lot, rule: .down)) ?? .zero) : capped
                }
                guard quantity > .zero else { return ("", PB.Status(code: .failedPrecondition, message: "sizing gave no tradable quantity: \(sized.explanation)")) }
                order.quantity = quantity.wire
                let exits = plan.risk.exits(entry: price)
                order.stopLoss = exits.stopLoss
                order.takeProfit = exits.takeProfit
            }
            let placed = try await relayPeer("risk", unavailable: OrchestratorErrorCode.riskUnavailable) {
                try await risk.placeOrder(PB.PlaceOrderRequest(order: order))
            }
            guard let check = placed.check, check.approved, let placedOrder = placed.order else {
                return ("", placed.check?.outcome ?? PB.Status(code: .failedPrecondition, message: "risk refused the order"))
            }
            let text = placedOrder.rejectReason.isEmpty ? "\(order.side == .buy ? "bought" : "sold") \(FixedDecimal(wire: placedOrder.quantity))"
                : "execution rejected it: \(placedOrder.rejectReason)"
            return (placedOrder.id, PB.Status(code: placedOrder.rejectReason.isEmpty ? .ok : .failedPrecondition, message: text))
        } catch {
            let rpc = RPCError.from(error).error
            logger.warning("order intent failed", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
            return ("", PB.Status(code: PB.StatusCode(rawValue: rpc.code.rawValue), message: rpc.message))
        }
    }
}
