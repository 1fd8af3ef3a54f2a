import Bus
import Contract
import Foundation
import Indicators
import Logging
import RPC
import ServiceKit
import Store
import Strategies
import TradingCore
import Wire

/// A running bot as the supervisor keeps it: the stored bot and what was resolved from it.
struct BotPlan: Sendable {
    var bot: PB.Bot
    let strategy: Strategy
    let risk: BotRisk
    let timeframe: Timeframe
    /// The instrument's lot: sized quantities are rounded down to it.
    let lot: FixedDecimal
    /// The instrument's tick: a trailing stop's price is rounded to it, away from the market.
    let tick: FixedDecimal
    /// Bumped by every (re)start, so a running bot rebuilds its state from the new plan.
    let generation: Int
}

/// What a bot carries from bar to bar: its strategy's streaming state (indicators and signal
/// history, the same program the backtester runs) and what it knows of its own position.
struct BotState: Sendable {
    let generation: Int
    var live: LiveStrategy
    /// The newest bar fed to `live`.
    var lastBarNs: Int64
    /// Entries into the open position (pyramiding) and the bar of the first.
    var entries = 0
    var entryBarNs: Int64?
    /// The open position's trailing stop, and the stop order execution holds at its level.
    var trail: TrailingStop?
    var trailOrder: (id: String, price: FixedDecimal)?
    /// The newest bars fed to `live` (at most `contextBars`) and the newest decisions' actions:
    /// what the LLM agent is shown besides the bar itself.
    var recentBars: [(timeNs: Int64, bar: PriceBar)] = []
    var recentActions: [String] = []

    static let contextBars = 60

    /// Feeds `bar` to the strategy (the rules decide on it, external agents voting `votes`) and
    /// keeps it for the agents' context.
    mutating func feed(_ bar: PriceBar, timeNs: Int64, position: PositionView, entries: Int, votes: AgentVotes = .none) -> StrategyDecision {
        let decision = live.next(bar, timeNs: timeNs, position: position, entries: entries, votes: votes)
        lastBarNs = timeNs
        recentBars.append((timeNs, bar))
        if recentBars.count > Self.contextBars { recentBars.removeFirst(recentBars.count - Self.contextBars) }
        return decision
    }
}

/// What a bot does with one closed candle: its strategy decides at the close (the same plan and
/// decision code as a backtest), the decision is stored (once per bot and bar) and published, and
/// an exit or entry becomes market orders through risk, which submits what it approves to
/// execution. Entries are sized by the strategy's sizing (the backtester's code, on the account's
/// cash and equity), capped by the bot's notional limit and rounded to the instrument's lot, with
/// the strategy's stop loss and take profit attached. Client order ids are the bot and bar
/// (`bot:<id>:<bar ns>`, `…:x` for the exit; within execution's 64 characters), so a retry never
/// trades twice.
struct BotTrader: Sendable {
    let store: Store
    let bus: Bus?
    let peers: Peers
    let statuses: Broadcaster<PB.BotStatus>
    let logger: Logger
    /// The external agents (llm, news, macro), asked on every bar of a strategy that weighs them.
    let agents: ExternalAgents
    /// Most bars of history a bot warms up on.
    var warmupBars = 500

    /// A fresh state for `plan`, warmed on the closed bars before `bar` (the live bots' driver
    /// needs its indicators' history; its decisions there are not acted on).
    func prepare(_ plan: BotPlan, before bar: Int64) async throws -> BotState {
        var state = BotState(generation: plan.generation, live: LiveStrategy(plan: plan.strategy.plan), lastBarNs: 0)
        let wanted = max(warmupBars, plan.strategy.plan.warmup + 1)
        let history = try await peers.candles(
            plan.bot.symbol, plan.timeframe, newest: wanted, range: PB.TimeRange(fromNs: 0, toNs: bar - 1), limit: wanted)
        for candle in history where candle.openTimeNs < bar {
            _ = state.feed(PriceBar(candle), timeNs: candle.openTimeNs, position: .flat, entries: 0)
        }
        return state
    }

    func act(on candle: PB.Candle, _ plan: BotPlan, _ state: inout BotState) async {
        let bot = plan.bot
        guard candle.openTimeNs > state.lastBarNs else { return }
        // Bars the bus did not bring (a reconnect): fed from market-data so the indicators stay exact.
        let step = plan.timeframe.nanoseconds
        if state.lastBarNs > 0, candle.openTimeNs - state.lastBarNs > step,
            let missed = try? await peers.candles(
                bot.symbol, plan.timeframe, range: PB.TimeRange(fromNs: state.lastBarNs + 1, toNs: candle.openTimeNs - 1), limit: 100_000)
        {
            for c in missed where c.openTimeNs > state.lastBarNs && c.openTimeNs < candle.openTimeNs {
                _ = state.feed(PriceBar(c), timeNs: c.openTimeNs, position: .flat, entries: 0)
            }
        }
        let held: PB.Position?
        do {
            held = try await position(bot)
        } catch {
            // Deciding without knowing the position could trade twice: the bar is skipped, the indicators still see it.
            _ = state.feed(PriceBar(candle), timeNs: candle.openTimeNs, position: .flat, entries: 0)
            logger.warning("cannot read the bot's position; the bar is not acted on", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
            return
        }
        let quantity = FixedDecimal(wire: held?.quantity)
        if quantity.isZero {
            state.entries = 0
            state.entryBarNs = nil
            state.trail = nil
            // Flat, by the trailing stop or otherwise: no stop order of the bot's stays behind.
            await cancelTrailOrder(&state, bot)
        } else {
            if state.entryBarNs == nil {
                // A position the bot did not see open (a restart): counted from when it opened.
                state.entryBarNs = plan.timeframe.periodStart(containing: held?.openedAtNs ?? candle.openTimeNs)
                state.entries = max(1, state.entries)
            }
            // The trailing stop follows the bar the position was held through (one the bot did
            // not see open trails from its average price).
            if state.trail == nil {
                state.trail = state.live.trailingStop(entry: FixedDecimal(wire: held?.averagePrice).doubleValue, long: quantity > .zero)
            }
            state.trail?.hold(through: PriceBar(candle))
        }
        var view = quantity.isZero ? PositionView.flat
            : PositionView(
                quantity: quantity.doubleValue, barsInTrade: Int(max(0, (candle.openTimeNs - (state.entryBarNs ?? candle.openTimeNs)) / step)),
                entryPrice: FixedDecimal(wire: held?.averagePrice).doubleValue, entries: state.entries)
        if plan.strategy.plan.readsEquity {
            // The rules read the equity (Pine's strategy.equity): the account's, as a backtest reads its own.
            view.equity = (try? await accountEquity(bot)) ?? .nan
        }
        // External agents vote on the bar the rules decide on; the LLM agent is shown the
        // indicators' values on it, from a copy of the strategy fed the bar first.
        var votes = AgentVotes.none
        var vote: LLMAgent.Vote?
        if state.live.asksExternalAgents {
            let asked = state.live.externalAgents
            var opinions = await agents.votes(asked, symbol: bot.symbol, closeNs: candle.openTimeNs + step)
            if asked.contains(.llm) {
                var peek = state.live
                _ = peek.next(PriceBar(candle), timeNs: candle.openTimeNs, position: view, entries: state.entries)
                let context = MarketContext(
                    symbol: bot.symbol, timeframe: plan.timeframe.rawValue, bars: state.recentBars + [(candle.openTimeNs, PriceBar(candle))],
                    indicators: peek.indicatorValues(), position: view, recentActions: state.recentActions)
                vote = await agents.llm.vote(context, user: bot.ownerId, bot: bot.id)
                opinions[.llm] = vote!.opinion
            }
            votes = AgentVotes(opinions)
        }
        let decided = state.feed(PriceBar(candle), timeNs: candle.openTimeNs, position: view, entries: state.entries, votes: votes)
        let explained = DecisionExplanation(decided, state.live, position: view, votes: votes)
        var decision = PB.Decision(
            id: UUID().uuidString.lowercased(), botId: bot.id, symbol: bot.symbol, timeframe: bot.timeframe, candleOpenTimeNs: candle.openTimeNs,
            action: explained.action, confidence: explained.confidence, reasoning: explained.reasoning, opinions: explained.opinions,
            createdAtNs: WallClock.nowNs)
        do {
            guard try await DecisionChain.append(decision, llm: vote?.call, store) else { return }
        } catch {
            logger.error("cannot store a decision; the bar is not acted on", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
            return
        }
        state.recentActions.append(explained.action == .hold ? "hold" : (explained.action == .buy ? "buy" : "sell"))
        if state.recentActions.count > 5 { state.recentActions.removeFirst() }
        if let late = vote?.late { recordLate(late, decision: decision) }
        if !decided.isNone {
            let (orderId, outcome) = await trade(decided, candle, plan, &state, held: quantity, decisionId: decision.id)
            decision.orderId = orderId
            decision.riskOutcome = outcome
            try? await OrchestratorTables.update(decision, store)
        }
        if decided.isNone, !quantity.isZero { await keepTrailOrder(&state, plan, bar: candle.openTimeNs, quantity: quantity) }
        if let bus { _ = try? bus.publish(BusChannel.decision(bot: bot.id), decision) }
        let word = explained.action == .hold ? "hold" : (explained.action == .buy ? "buy" : "sell")
        statuses.publish([PB.BotStatus(
            botId: bot.id, state: .running, tsNs: WallClock.nowNs, lastDecision: decision,
            message: decision.riskOutcome.map { "\(word): \($0.message)" } ?? word)])
    }

    /// Keeps the LLM agent's late answer beside the decision it came too late for.
    private func recordLate(_ late: Task<DecisionLLMCall, Never>, decision: PB.Decision) {
        let store = self.store, logger = self.logger
        Task {
            do { try await AITables.recordLate(await late.value, decision: decision.id, store) } catch {
                logger.warning("cannot keep the LLM agent's late answer", metadata: ["bot.id": "\(decision.botId)", "error": "\(error)"])
            }
        }
    }

    /// The bot's position in its symbol, nil when flat.
    private func position(_ bot: PB.Bot) async throws -> PB.Position? {
        let execution = try peers.requireExecution()
        return try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
            try await execution.listPositions(PB.AccountRequest(accountId: bot.accountId)).positions
        }.first { $0.symbol == bot.symbol && !FixedDecimal(wire: $0.quantity).isZero }
    }

    /// The bot's account's equity (cash and positions at their marks).
    private func accountEquity(_ bot: PB.Bot) async throws -> Double {
        let execution = try peers.requireExecution()
        let account = try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
            try await execution.getAccount(PB.AccountRequest(accountId: bot.accountId))
        }
        return FixedDecimal(wire: account.equity).doubleValue
    }

    /// Carries out `decision` with market orders through risk: the exit first (the whole
    /// position), then the entry. The id of the last order placed and what came of the decision.
    private func trade(_ decision: StrategyDecision, _ candle: PB.Candle, _ plan: BotPlan, _ state: inout BotState, held: FixedDecimal, decisionId: String)
        async -> (String, PB.Status)
    {
        let bot = plan.bot
        let bar = candle.openTimeNs
        var orderId = ""
        var outcome = PB.Status(code: PB.StatusCode.ok, message: "")
        do {
            if decision.exit != nil, !held.isZero {
                // The trailing stop must not sell what the exit sells (it is placed again next bar if the exit is refused).
                await cancelTrailOrder(&state, bot)
                let order = PB.SubmitOrderRequest(
                    accountId: bot.accountId, clientOrderId: "bot:\(bot.id):\(bar):x", symbol: bot.symbol, side: held > .zero ? .sell : .buy, type: .market,
                    quantity: try held.magnitude.wire, botId: bot.id, decisionId: decisionId)
                let exited = try await place(order, bot)
                (orderId, outcome) = (exited.id, exited.outcome)
                guard outcome.code == .ok else { return (orderId, outcome) }
                state.trail = nil
                state.entries = 0
                state.entryBarNs = nil
            }
            guard let side = decision.entry else { return (orderId, outcome) }
            let execution = try peers.requireExecution()
            let account = try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
                try await execution.getAccount(PB.AccountRequest(accountId: bot.accountId))
            }
            let cash = FixedDecimal(wire: account.balances.first { $0.currency == account.baseCurrency }?.available)
            let price = candle.close
            // Kelly sizes from the bot's own closed trades, as a backtest from its own.
            let record = plan.strategy.plan.sizing.model == .kelly ? try await closedTrades(bot) : TradeRecord()
            var quantity = try Strategy.checked { () throws(StrategyError) in
                try state.live.entryQuantity(side, price: price, cash: cash, equity: FixedDecimal(wire: account.equity).doubleValue, record: record)
            }
            if plan.risk.maxPositionNotional > 0, price > 0, quantity.doubleValue * price > plan.risk.maxPositionNotional {
                quantity = (try? FixedDecimal(approximating: plan.risk.maxPositionNotional / price)) ?? .zero
            }
            if plan.lot > .zero { quantity = (try? quantity.rounded(toMultipleOf: plan.lot, rule: .down)) ?? .zero }
            guard quantity > .zero else {
                return (orderId, PB.Status(code: .failedPrecondition, message: "sizing gave no tradable quantity at \(price) with \(cash) cash"))
            }
            let levels = state.live.exitLevels(entry: price, long: side == .buy)
            func level(_ v: Double?) -> PB.Decimal? { v.flatMap { try? FixedDecimal(approximating: $0) }.map(\.wire) }
            let order = PB.SubmitOrderRequest(
                accountId: bot.accountId, clientOrderId: "bot:\(bot.id):\(bar)", symbol: bot.symbol, side: side.wire, type: .market,
                quantity: quantity.wire, stopLoss: level(levels.stopLoss), takeProfit: level(levels.takeProfit), botId: bot.id, decisionId: decisionId)
            let entered = try await place(order, bot)
            if entered.outcome.code == .ok {
                let wasFlat = state.entryBarNs == nil
                if wasFlat { state.entryBarNs = bar }
                state.entries += 1
                if wasFlat, let fill = entered.order?.averageFillPrice {
                    state.trail = state.live.trailingStop(entry: FixedDecimal(wire: fill).doubleValue, long: side == .buy)
                }
                let position = (held.isZero || decision.exit != nil) ? quantity : try held.magnitude + quantity
                await keepTrailOrder(&state, plan, bar: bar, quantity: side == .buy ? position : try -position)
            }
            return entered.id.isEmpty ? (orderId, entered.outcome) : (entered.id, entered.outcome)
        } catch {
            let rpc = RPCError.from(error).error
            logger.warning("order intent failed", metadata: ["bot.id": "\(bot.id)", "error": "\(error)"])
            return (orderId, PB.Status(code: PB.StatusCode(rawValue: rpc.code.rawValue), message: rpc.message))
        }
    }

    /// The bot's closed trades (the newest 1,000) as wins and losses.
    private func closedTrades(_ bot: PB.Bot) async throws -> TradeRecord {
        let execution = try peers.requireExecution()
        let trades = try await relayPeer("execution", unavailable: OrchestratorErrorCode.executionUnavailable) {
            try await execution.listTrades(PB.ListTradesRequest(accountId: bot.accountId, botId: bot.id, page: PB.PageRequest(limit: 1_000))).trades
        }
        var record = TradeRecord()
        for t in trades { record.add(pnl: FixedDecimal(wire: t.realizedPnl).doubleValue) }
        return record
    }

    /// Keeps execution's stop order at the trailing stop's level for a position of `quantity`
    /// (signed): a new order when the level moved (client id `bot:<id>:<bar>:t`), the old one
    /// cancelled. A refusal is logged and tried again next bar.
    private func keepTrailOrder(_ state: inout BotState, _ plan: BotPlan, bar: Int64, quantity: FixedDecimal) async {
        guard let trail = state.trail, trail.level.isFinite, trail.level > 0, !quantity.isZero,
            var price = try? FixedDecimal(approximating: trail.level)
        else { return }
        // Away from the market: a long's sell stop rounds down, a short's buy stop up.
        if plan.tick > .zero, let rounded = try? price.rounded(toMultipleOf: plan.tick, rule: trail.long ? .down : .up) { price = rounded }
        guard price != state.trailOrder?.price else { return }
        await cancelTrailOrder(&state, plan.bot)
        do {
            let order = PB.SubmitOrderRequest(
                accountId: plan.bot.accountId, clientOrderId: "bot:\(plan.bot.id):\(bar):t", symbol: plan.bot.symbol, side: trail.long ? .sell : .buy,
                type: .stop, quantity: try quantity.magnitude.wire, stopPrice: price.wire, botId: plan.bot.id)
            let placed = try await place(order, plan.bot)
            if placed.outcome.code == .ok, !placed.id.isEmpty { state.trailOrder = (placed.id, price) }
        } catch {
            logger.warning("cannot place the trailing stop; trying again next bar", metadata: ["bot.id": "\(plan.bot.id)", "error": "\(error)"])
        }
    }

    /// Cancels the bot's trailing stop order, if it has one resting (one that filled or was
    /// cancelled meanwhile is simply forgotten).
    private func cancelTrailOrder(_ state: inout BotState, _ bot: PB.Bot) async {
        guard let order = state.trailOrder else { return }
        state.trailOrder = nil
        guard let execution = try? peers.requireExecution() else { return }
        _ = try? await execution.cancelOrder(PB.CancelOrderRequest(accountId: bot.accountId, orderId: order.id))
    }

    /// Places `order` through risk: the order (when placed) and what came of it.
    private func place(_ order: PB.SubmitOrderRequest, _ bot: PB.Bot) async throws -> (id: String, outcome: PB.Status, order: PB.Order?) {
        let risk = try peers.requireRisk()
        let placed = try await relayPeer("risk", unavailable: OrchestratorErrorCode.riskUnavailable) {
            try await risk.placeOrder(PB.PlaceOrderRequest(order: order))
        }
        guard let check = placed.check, check.approved, let placedOrder = placed.order else {
            return ("", placed.check?.outcome ?? PB.Status(code: .failedPrecondition, message: "risk refused the order"), nil)
        }
        guard placedOrder.rejectReason.isEmpty else {
            return (placedOrder.id, PB.Status(code: .failedPrecondition, message: "execution rejected it: \(placedOrder.rejectReason)"), placedOrder)
        }
        let verb = order.type == .stop ? "trailing stop at \(FixedDecimal(wire: order.stopPrice)) for" : (order.side == .buy ? "bought" : "sold")
        return (placedOrder.id, PB.Status(code: .ok, message: "\(verb) \(FixedDecimal(wire: placedOrder.quantity))"), placedOrder)
    }
}
