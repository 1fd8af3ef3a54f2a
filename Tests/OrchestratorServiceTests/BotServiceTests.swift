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
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

let minute: Int64 = 60_000_000_000

/// The clients of a whole platform but the gateway.
struct Platform: Sendable {
    let market: MarketSide
    let indicators: IndicatorsClient
    let execution: ExecutionClient
    let risk: RiskClient
    let orchestratorAddress: PeerAddress
    var settings: OrchestratorSettings {
        var s = OrchestratorSettings()
        s.marketData = market.address
        s.indicators = PeerAddress(host: "127.0.0.1", port: indicatorsPort)
        s.risk = PeerAddress(host: "127.0.0.1", port: riskPort)
        s.execution = PeerAddress(host: "127.0.0.1", port: executionPort)
        return s
    }
    let indicatorsPort: Int, executionPort: Int, riskPort: Int
}

/// market-data (driven by the test), indicators, execution and risk as real hosts, wired as in production.
func withPlatform<R: Sendable>(_ body: @Sendable (Platform) async throws -> R) async throws -> R {
    try await withMarketSide { market in
        var indicators = IndicatorsSettings()
        indicators.marketData = market.address
        indicators.flushInterval = .milliseconds(20)
        return try await withService("indicators", beside: market, build: { [indicators] in try buildIndicators(configuration: $0, settings: indicators) }) {
            indicatorsHost, indicatorsClient in
            var execution = ExecutionSettings()
            execution.marketData = market.address
            return try await withService("execution", beside: market, build: { [execution] in try buildExecution(configuration: $0, settings: execution) }) {
                executionHost, executionClient in
                var risk = RiskSettings()
                risk.marketData = market.address
                risk.execution = PeerAddress(host: "127.0.0.1", port: try await executionHost.rpcAddress.port!)
                return try await withService("risk", beside: market, build: { [risk] in try buildRisk(configuration: $0, settings: risk) }) { riskHost, riskClient in
                    try await body(Platform(
                        market: market, indicators: IndicatorsClient(indicatorsClient), execution: ExecutionClient(executionClient), risk: RiskClient(riskClient),
                        orchestratorAddress: PeerAddress(host: "127.0.0.1", port: 0), indicatorsPort: try await indicatorsHost.rpcAddress.port!,
                        executionPort: try await executionHost.rpcAddress.port!, riskPort: try await riskHost.rpcAddress.port!))
                }
            }
        }
    }
}

/// Runs the orchestrator beside `platform`; `schema` keeps its tables across a restart.
func withOrchestrator<R: Sendable>(_ platform: Platform, schema: String? = nil, _ body: @Sendable (OrchestratorClient) async throws -> R) async throws -> R {
    let settings = platform.settings
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

/// The next decision on `subscription`, or nil after `seconds`.
func nextDecision(_ subscription: BusSubscription, seconds: Double = 20) async -> PB.Decision? {
    await withTaskGroup(of: PB.Decision?.self) { group in
        group.addTask {
            for await delivery in subscription {
                if case .message(_, let payload) = delivery, let d = try? PB.Decision(decoding: payload) { return d }
            }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

@Suite("Orchestrator service", .serialized)
struct BotServiceTests {
    /// A bot through its whole life: created (validated, idempotent), started (its indicator set on
    /// the indicators service), buying in an uptrend through risk into execution, refused by the
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
                #expect(bot.symbol == "BTC/USDT" && bot.state == .stopped && bot.strategy?.agents.count == 2)
                #expect(try await orchestrator.createBot(request).id == bot.id)
                #expect(try await orchestrator.listBots(PB.ListBotsRequest(ownerId: "ada")).bots.map(\.id) == [bot.id])

                // Analyze runs the agents on the stored history without trading.
                let analysis = try await orchestrator.analyze(PB.AnalyzeRequest(symbol: "BTC/USDT", timeframe: .m1))
                #expect(analysis.opinions.count == 4 && analysis.candleOpenTimeNs == history.last!.openTimeNs && analysis.botId.isEmpty)

                let started = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                #expect(started.state == .running && started.desiredRunning)
                let sets = try await p.indicators.listIndicatorSets(PB.ListIndicatorSetsRequest(symbol: "BTC/USDT")).sets
                #expect(sets.count == 1 && sets[0].indicators.map(\.name).sorted() == ["ema", "ema", "macd", "sma"])

                let decisions = try p.market.bus.subscribe(channels: [BusChannel.decision(bot: bot.id)])
                try await decisions.waitUntilSubscribed()
                // Uptrend: a buy through risk, filled by execution.
                var next = t0 + 120 * minute
                var bought: PB.Decision?
                for candle in candles(from: next, count: 30, price: &price, step: 1.003) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    guard let d = await nextDecision(decisions) else { Issue.record("no decision for a closed bar"); break }
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
                    guard let d = await nextDecision(decisions) else { break }
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
                let decisions = try p.market.bus.subscribe(channels: [BusChannel.decision(bot: botId)])
                try await decisions.waitUntilSubscribed()
                var sold: PB.Decision?
                var next = t0 + 120 * minute + Int64(try await orchestrator.listDecisions(PB.ListDecisionsRequest(botId: botId, page: PB.PageRequest(limit: 1000))).decisions.count) * minute
                for _ in 0..<50 where sold == nil {
                    let bot = try await orchestrator.getBot(PB.GetBotRequest(id: botId))
                    if bot.state == .running { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                // The stored state says running before the resume has subscribed: bars until one is decided on.
                for candle in candles(from: next, count: 20, price: &price, step: 0.995) {
                    try await p.market.quote("BTC/USDT", last: candle.close)
                    try await p.market.deliver([candle])
                    next += minute
                    guard let d = await nextDecision(decisions, seconds: 3) else { continue }
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
                #expect(try await orchestrator.getBacktest(PB.GetBacktestRequest(id: result.id)) == result)
                await #expect(throws: RPCError.self) {
                    _ = try await orchestrator.runBacktest(PB.BacktestRequest(symbol: "BTC/USDT", timeframe: .m1, feeRate: 0.5))
                }

                let reply = try await orchestrator.chat(PB.ChatRequest(userId: "ada", message: "I like buying dips"))
                #expect(reply.proposedStrategy?.name == "mean_reversion" && !reply.clarifyingQuestions.isEmpty)
                // The conversation is remembered: the second message refines the first.
                let refined = try await orchestrator.chat(PB.ChatRequest(userId: "ada", conversationId: reply.conversationId, message: "conservative please, RSI below 20"))
                #expect(refined.proposedStrategy?.name == "mean_reversion" && refined.proposedStrategy?.parameters["oversold"] == 20)
                #expect(try await orchestrator.listAgents(PB.Empty()).agents.map(\.name) == ["trend", "momentum", "rsi_reversion", "volatility"])
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
