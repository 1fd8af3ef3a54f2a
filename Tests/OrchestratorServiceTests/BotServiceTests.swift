import Bus
import Contract
import ExecutionService
import Foundation
import IndicatorsService
import NIOCore
import PlatformTesting
import RPC
import RiskService
import ServiceKit
import ServiceKitTesting
import Synchronization
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

let minute: Int64 = 60_000_000_000

/// The clients of a whole platform but the orchestrator and the gateway.
struct Platform: Sendable {
    let market: MarketSide
    let indicators: IndicatorsClient
    let trading: TradingServices
    let indicatorsAddress: PeerAddress
    var execution: ExecutionClient { trading.execution }
    var risk: RiskClient { trading.risk }

    /// The orchestrator's settings with every peer.
    var settings: OrchestratorSettings {
        var s = OrchestratorSettings()
        s.marketData = market.address
        s.risk = trading.riskAddress
        s.execution = trading.executionAddress
        return s
    }
}

/// market-data (driven by the test), indicators, execution and risk as real hosts, wired as in production.
func withPlatform<R: Sendable>(_ body: @Sendable (Platform) async throws -> R) async throws -> R {
    try await withMarketSide { market in
        var indicators = IndicatorsSettings()
        indicators.marketData = market.address
        indicators.flushInterval = .milliseconds(20)
        return try await withService("indicators", beside: market, build: { [indicators] in try buildIndicators(configuration: $0, settings: indicators) }) {
            indicatorsHost, indicatorsClient in
            let address = PeerAddress(host: "127.0.0.1", port: try await indicatorsHost.rpcAddress.port!)
            return try await withTradingServices(beside: market) { trading in
                try await body(Platform(market: market, indicators: IndicatorsClient(indicatorsClient), trading: trading, indicatorsAddress: address))
            }
        }
    }
}

/// Runs the orchestrator beside `platform`; `schema` keeps its tables across a restart.
func withOrchestrator<R: Sendable>(
    _ platform: Platform, schema: String? = nil, adjust: (inout OrchestratorSettings) -> Void = { _ in },
    _ body: @Sendable (OrchestratorClient) async throws -> R
) async throws -> R {
    var configured = platform.settings
    adjust(&configured)
    let settings = configured
    return try await withService("orchestrator", beside: platform.market, schema: schema, build: { try buildOrchestrator(configuration: $0, settings: settings) }) {
        _, client in try await body(OrchestratorClient(client))
    }
}

/// One-minute BTC/USDT candles: `count` from `start`, each close `step` times the last (plus a small wobble).
func candles(from start: Int64, count: Int, price: inout Double, step: Double) -> [PB.Candle] {
    (0..<count).map { i in
        let open = price
        price = (price * step * (i % 2 == 0 ? 1.0004 : 0.9996) * 100).rounded() / 100
        return PB.Candle(
            symbol: "BTC/USDT", timeframe: .m1, openTimeNs: start + Int64(i) * minute, open: open, high: max(open, price) + 5, low: min(open, price) - 5,
            close: price, volume: 10, tradeCount: 10, closed: true)
    }
}

/// A bot's decisions as the bus delivers them, read by one task for the whole phase, so a wait
/// that times out loses nothing (cancelling a reader would end the subscription).
final class DecisionFeed: Sendable {
    private final class Queue: Sendable { let items = Mutex<[PB.Decision]>([]) }
    private let queue = Queue()
    private let reader: Task<Void, Never>

    init(bus: Bus, bot: String) async throws {
        let subscription = try bus.subscribe(channels: [BusChannel.decision(bot: bot)])
        try await subscription.waitUntilSubscribed()
        let queue = queue
        reader = Task {
            for await delivery in subscription {
                if case .message(_, let payload) = delivery, let d = try? PB.Decision(decoding: payload) { queue.items.withLock { $0.append(d) } }
            }
        }
    }

    deinit { reader.cancel() }

    /// The next decision, or nil after `seconds`.
    func next(seconds: Double = 20) async -> PB.Decision? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let d = queue.items.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return d }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}

@Suite("Orchestrator service", .serialized)
struct BotServiceTests {
    /// A bot through its whole life: created (validated, idempotent), started (its strategy warmed
    /// on market-data's history), buying in an uptrend through risk into execution, refused by the
    /// kill switch, selling in the downtrend, and resumed by a restarted orchestrator.
    @Test func botTradesThroughRiskAndResumes() async throws {
        try await withPlatform { p in
            let schema = TestEnvironment.uniqueName("orch")
            defer { Task { await ServiceHarness.dropSchema(schema) } }
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 400) * minute
            var price = 40_000.0
            let history = candles(from: t0, count: 120, price: &price, step: 1)
            let startPrice = price
            try await p.market.deliver(history, publish: false)
            let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
            let other = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "bob", initialCash: dec("100"))).id

            let request = PB.CreateBotRequest(
                ownerId: "ada", name: "trend bot", symbol: "BTCUSDT", timeframe: .m1,
                strategy: PB.StrategyConfig(name: "trend_following", consensusThreshold: 0.2), mode: .paper, accountId: account,
                risk: PB.BotRiskSettings(riskPerTrade: 0.1, stopLossPct: 0.5, takeProfitPct: 0.5), requestId: "create-1")
                // A stop far away: the test exercises the bot's own sell after a restart, not execution's stop loss.
            let (botId, lastPrice): (String, Double) = try await withOrchestrator(p, schema: schema) { orchestrator in
                var price = startPrice
                // Refusals name what to fix.
                func refusal(_ r: PB.CreateBotRequest) async -> String {
                    do { _ = try await orchestrator.createBot(r); return "" } catch { return "\(error.code) \(error.message)" }
                }
                var bad = request
                bad.mode = .live
                #expect(await refusal(bad).hasPrefix("failed_precondition orchestrator.unsupported_mode"))
                bad = request
                bad.accountId = other
                #expect(await refusal(bad).contains("does not belong to ada"))
                bad = request
                bad.symbol = "NOPE/USD"
                #expect(await refusal(bad).hasPrefix("not_found market-data:"))
                bad = request
                bad.risk = PB.BotRiskSettings(sizingModel: "martingale")
                #expect(await refusal(bad).contains("use fixed_fraction or atr"))

                let bot = try await orchestrator.createBot(request)
                #expect(bot.symbol == "BTC/USDT" && bot.state == .stopped && bot.strategy?.parameters["threshold"] == 0.2)
                #expect(bot.strategy?.parameters["trend_weight"] == 0.6 && bot.strategy?.parameters["rsi_reversion_weight"] == 0)
                #expect(try await orchestrator.createBot(request).id == bot.id)
                #expect(try await orchestrator.listBots(PB.ListBotsRequest(ownerId: "ada")).bots.map(\.id) == [bot.id])

                // Analyze runs the agents on the stored history without trading.
                let analysis = try await orchestrator.analyze(PB.AnalyzeRequest(symbol: "BTC/USDT", timeframe: .m1))
                #expect(analysis.opinions.count == 4 && analysis.candleOpenTimeNs == history.last!.openTimeNs && analysis.botId.isEmpty)

                let started = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                #expect(started.state == .running && started.desiredRunning)

                let decisions = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                // Uptrend: a buy through risk, filled by execution.
                var next = t0 + 120 * minute
                var bought: PB.Decision?
                for candle in candles(from: next, count: 30, price: &price, step: 1.003) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    guard let d = await decisions.next() else { Issue.record("no decision for a closed bar"); break }
                    #expect(d.candleOpenTimeNs == candle.openTimeNs && d.opinions.count == 2)
                    if d.action == .buy, !d.orderId.isEmpty { bought = d; break }
                }
                let buy = try #require(bought)
                let order = try await p.execution.getOrder(PB.GetOrderRequest(accountId: account, key: .orderId(buy.orderId)))
                #expect(order.status == .filled && order.botId == bot.id && order.clientOrderId == "bot:\(bot.id):\(buy.candleOpenTimeNs)")
                #expect(buy.riskOutcome?.code == .ok && FixedDecimal(wire: order.stopLoss) > .zero)

                // Kill switch: the downtrend's sell is refused with the reason, the bot keeps deciding.
                _ = try await p.risk.setKillSwitch(PB.SetKillSwitchRequest(engaged: true, reason: "drill", changedBy: "admin"))
                var refused: PB.Decision?
                for candle in candles(from: next, count: 40, price: &price, step: 0.995) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    guard let d = await decisions.next() else { break }
                    if d.action == .sell { refused = d; break }
                }
                let halted = try #require(refused)
                #expect(halted.orderId.isEmpty && halted.riskOutcome?.message.contains("kill switch is engaged: drill") == true)
                _ = try await p.risk.setKillSwitch(PB.SetKillSwitchRequest(engaged: false, changedBy: "admin"))

                let status = orchestrator.streamBotStatus(PB.GetBotRequest(id: bot.id))
                var iterator = status.makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first?.state == .running && first?.lastDecision?.id == halted.id)
                let stored = try await orchestrator.listDecisions(PB.ListDecisionsRequest(botId: bot.id, page: PB.PageRequest(limit: 1000)))
                #expect(stored.decisions.count == Int((next - (t0 + 120 * minute)) / minute))
                return (bot.id, price)
            }

            // A new orchestrator process on the same schema resumes the bot, which sells on the next bar.
            try await withOrchestrator(p, schema: schema) { orchestrator in
                var price = lastPrice
                let decisions = try await DecisionFeed(bus: p.market.bus, bot: botId)
                var sold: PB.Decision?
                var next = t0 + 120 * minute + Int64(try await orchestrator.listDecisions(PB.ListDecisionsRequest(botId: botId, page: PB.PageRequest(limit: 1000))).decisions.count) * minute
                // The stored state says running before the resume has subscribed: bars until one is decided on.
                for candle in candles(from: next, count: 20, price: &price, step: 0.995) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    guard let d = await decisions.next(seconds: 3) else { continue }
                    if d.action == .sell, !d.orderId.isEmpty { sold = d; break }
                }
                #expect(sold != nil)
                let positions = try await p.execution.listPositions(PB.AccountRequest(accountId: account)).positions
                #expect(positions.allSatisfy { FixedDecimal(wire: $0.quantity).isZero })
                let trades = try await p.execution.listTrades(PB.ListTradesRequest(accountId: account)).trades
                #expect(trades.count == 1 && trades[0].symbol == "BTC/USDT")
                _ = try await orchestrator.stopBot(PB.GetBotRequest(id: botId))
                #expect(try await orchestrator.getBot(PB.GetBotRequest(id: botId)).desiredRunning == false)
            }
        }
    }

    /// A trailing stop lives in execution as the bot's stop order: placed with the entry, moved up
    /// (the old one cancelled) as the position makes new highs, and filled when the price falls
    /// through it; the bot then has no order left behind.
    @Test func botKeepsItsTrailingStopInExecution() async throws {
        try await withPlatform { p in
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 700) * minute
            var price = 40_000.0
            try await p.market.deliver(candles(from: t0, count: 30, price: &price, step: 0.999), publish: false)
            let startPrice = price
            let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
            let document = """
                {"version": 1, "name": "trail",
                 "rules": {"entry_long": [{"left": "close", "op": "crosses_above", "right": {"indicator": "sma", "period": 5}}]},
                 "exits": {"trailing_stop": {"percent": 1}},
                 "sizing": {"model": "percent_equity", "percent": 10}}
                """
            try await withOrchestrator(p) { orchestrator in
                let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                    ownerId: "ada", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(document: document), accountId: account))
                _ = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                let feed = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                var price = startPrice
                func stops() async throws -> [PB.Order] {
                    try await p.execution.listOrders(PB.ListOrdersRequest(accountId: account, statuses: [.new])).orders.filter { $0.type == .stop }
                }
                var next = t0 + 30 * minute
                var entered = false
                for candle in candles(from: next, count: 20, price: &price, step: 1.003) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    let d = try #require(await feed.next())
                    if d.action == .buy, !d.orderId.isEmpty { entered = true; break }
                }
                #expect(entered)
                let first = try #require(try await stops().first)
                #expect(first.side == .sell && first.botId == bot.id && first.clientOrderId.hasSuffix(":t"))
                // New highs: the stop moves up, one order at a time.
                for candle in candles(from: next, count: 5, price: &price, step: 1.003) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    _ = await feed.next()
                }
                let moved = try await stops()
                #expect(moved.count == 1 && FixedDecimal(wire: moved.first?.stopPrice) > FixedDecimal(wire: first.stopPrice))
                // The price falls through it: execution sells, the position is flat.
                let level = FixedDecimal(wire: moved.first?.stopPrice).doubleValue
                try await p.market.quote("BTC/USDT", last: (level * 0.995 * 100).rounded() / 100)
                var flat = false
                for _ in 0..<200 where !flat {
                    try await Task.sleep(for: .milliseconds(20))
                    flat = try await p.execution.listPositions(PB.AccountRequest(accountId: account)).positions.allSatisfy { FixedDecimal(wire: $0.quantity).isZero }
                }
                #expect(flat)
                #expect(try await p.execution.listTrades(PB.ListTradesRequest(accountId: account, botId: bot.id)).trades.count == 1)
                #expect(try await stops().isEmpty)
                _ = try await orchestrator.stopBot(PB.GetBotRequest(id: bot.id))
            }
        }
    }

    @Test func backtestsChatAndAbsentPeers() async throws {
        try await withPlatform { p in
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 400) * minute
            var price = 40_000.0
            let bars = candles(from: t0, count: 100, price: &price, step: 1) + candles(from: t0 + 100 * minute, count: 60, price: &price, step: 1.004)
                + candles(from: t0 + 160 * minute, count: 60, price: &price, step: 0.996)
            try await p.market.deliver(bars, publish: false)
            try await withOrchestrator(p) { orchestrator in
                let result = try await orchestrator.runBacktest(PB.BacktestRequest(
                    symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(name: "trend_following"), risk: PB.BotRiskSettings(riskPerTrade: 0.5),
                    initialCash: dec("10000"), feeRate: 0.001, slippageBps: 2))
                #expect(result.tradeCount >= 1 && result.equityCurve.count == bars.count)
                #expect(text(result.equityCurve.last?.equity) == text(result.finalEquity))
                await #expect(throws: RPCError.self) {
                    _ = try await orchestrator.runBacktest(PB.BacktestRequest(symbol: "BTC/USDT", timeframe: .m1, feeRate: 0.5))
                }

                let reply = try await orchestrator.chat(PB.ChatRequest(userId: "ada", message: "I like buying dips"))
                #expect(reply.proposedStrategy?.name == "mean_reversion" && !reply.clarifyingQuestions.isEmpty)
                // The conversation is remembered: the second message refines the first.
                let refined = try await orchestrator.chat(PB.ChatRequest(userId: "ada", conversationId: reply.conversationId, message: "conservative please, oversold 20"))
                #expect(refined.proposedStrategy?.name == "mean_reversion" && refined.proposedStrategy?.parameters["oversold"] == 20)
                // Another user can neither read nor add to it.
                await #expect(throws: RPCError.self) {
                    _ = try await orchestrator.chat(PB.ChatRequest(userId: "bob", conversationId: reply.conversationId, message: "show me"))
                }
                #expect(try await orchestrator.listAgents(PB.Empty()).agents.map(\.name) == ["trend", "momentum", "rsi_reversion", "volatility", "llm", "news", "macro"])
            }
            // Without peers: fast `unavailable`, naming the missing one.
            try await withService("orchestrator", beside: p.market, build: { try buildOrchestrator(configuration: $0) }) { _, client in
                let orchestrator = OrchestratorClient(client)
                do {
                    _ = try await orchestrator.analyze(PB.AnalyzeRequest(symbol: "BTC/USDT", timeframe: .m1))
                    Issue.record("analyze without market-data succeeded")
                } catch let error as RPCError {
                    #expect(error.code == .unavailable && error.message.contains("market-data is not configured"))
                }
            }
        }
    }
}
