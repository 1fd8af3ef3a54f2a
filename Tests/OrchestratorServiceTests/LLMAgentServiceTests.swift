import Contract
import Foundation
import LanguageModels
import Logging
import Store
import PlatformTesting
import ServiceKit
import ServiceKitTesting
import Strategies
import Synchronization
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

/// The `llm` agent in a running bot, against a local server speaking OpenAI's Chat Completions:
/// it is shown the bar's context and its vote counts in the decision; when the provider fails or
/// the budget is spent it abstains with the reason and the rule agents still decide.
@Suite("LLM agent in bots", .serialized)
struct LLMAgentServiceTests {
    static func vote(_ action: String, _ confidence: Double, _ reasoning: String) -> String {
        let content = #"{\"action\":\"\#(action)\",\"confidence\":\#(confidence),\"reasoning\":\"\#(reasoning)\"}"#
        return #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"\#(content)","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":700,"completion_tokens":30,"total_tokens":730}}"#
    }

    static func ai(port: Int, botDaily: String = "1") throws -> LLMSettings {
        var ai = LLMSettings()
        ai.provider = "openai"
        ai.endpoint = LLMEndpoint(
            format: OpenAIChatFormat(), baseURL: URL(string: "http://127.0.0.1:\(port)/v1")!, model: "gpt-4o-mini", apiKey: "sk-agent-test-key-0123456789",
            deadline: .seconds(3), maxAttempts: 1)
        ai.prices = try LLMPrices(parsing: "gpt-4o-mini=0.15/0.60")
        ai.limits.botDaily = try FixedDecimal(parsing: botDaily)
        return ai
    }

    @Test func theLLMVotesInAnEnsembleBotAndAbstainsWhenItCannot() async throws {
        let failing = Mutex(false)
        try await ScriptedHTTPServer.with({ _, _ in
            failing.withLock { $0 }
                ? ScriptedHTTPServer.json(#"{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"#, status: 500)
                : ScriptedHTTPServer.json(Self.vote("buy", 0.9, "higher highs on rising volume"))
        }) { port, server in
            try await withPlatform { p in
                let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 500) * minute
                var price = 40_000.0
                try await p.market.deliver(candles(from: t0, count: 60, price: &price, step: 1.001), publish: false)
                let startPrice = price
                let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
                let ai = try Self.ai(port: port)
                let schema = TestEnvironment.uniqueName("orch")
                defer { Task { await ServiceHarness.dropSchema(schema) } }
                try await withOrchestrator(p, schema: schema, adjust: { $0.ai = ai }) { orchestrator in
                    var price = startPrice
                    var decided: [PB.Decision] = []
                    let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                        ownerId: "ada", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(name: "ai_ensemble"), accountId: account))
                    #expect(bot.strategy?.parameters["llm_weight"] == 0.4)
                    _ = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                    let feed = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                    var next = t0 + 60 * minute
                    func bar() async throws -> PB.Decision {
                        let candle = candles(from: next, count: 1, price: &price, step: 1.001)[0]
                        next += minute
                        try await p.market.quote("BTC/USDT", last: candle.close)
                        try await p.market.deliver([candle])
                        let d = try #require(await feed.next())
                        decided.append(d)
                        return d
                    }
                    for _ in 0..<3 {
                        let d = try await bar()
                        let llm = try #require(d.opinions.first { $0.agent == "llm" })
                        #expect(llm.action == .buy && llm.confidence == 0.9 && llm.weight == 0.4)
                        #expect(llm.reasoning == "higher highs on rising volume")
                        #expect(d.opinions.map(\.agent) == ["trend", "momentum", "rsi_reversion", "volatility", "llm"])
                    }
                    #expect(server.requests.count == 3)
                    let prompt = try JSONValue(parsing: server.requests[2].body)["messages"]?.array?.last?["content"]?.string ?? ""
                    #expect(prompt.contains("Market: BTC/USDT, 1m bars."))
                    #expect(prompt.contains("Indicators on the latest bar: "))
                    #expect(prompt.contains("ema_12 = "))
                    #expect(prompt.contains("The bot's recent decisions, oldest first: "))
                    #expect(prompt.contains("Position: "))

                    // The provider fails: the agent abstains with the reason, the others still decide.
                    failing.withLock { $0 = true }
                    let d = try await bar()
                    let llm = try #require(d.opinions.first { $0.agent == "llm" })
                    #expect(llm.confidence == 0 && llm.action == .hold)
                    #expect(llm.reasoning.hasPrefix("abstains (provider_error): openai answered HTTP 500"))
                    #expect(d.opinions.filter { $0.agent != "llm" }.contains { $0.confidence > 0 })

                    // Every call is in the ledger, priced from the provider's usage: 3 × (700 × $0.15 + 30 × $0.60) per
                    // million under the model that answered; the failed one at no cost under the configured name.
                    let usage = try await eventually("the ledger's four calls") { () async throws -> PB.AIUsage? in
                        let u = try await orchestrator.getAiUsage(PB.GetAIUsageRequest(userId: "ada"))
                        return u.rows.map(\.calls).reduce(0, +) == 4 ? u : nil
                    }
                    #expect(usage.provider == "openai" && usage.model == "gpt-4o-mini")
                    #expect(usage.rows.map(\.model) == ["gpt-4o-mini", "gpt-4o-mini-2024-07-18"])
                    #expect(usage.rows.map(\.purpose) == ["agent", "agent"])
                    #expect(usage.rows.map(\.calls) == [1, 3] && usage.rows.map(\.failedCalls) == [1, 0])
                    #expect(usage.rows[1].inputTokens == 2100 && usage.rows[1].outputTokens == 90)
                    #expect(FixedDecimal(wire: usage.rows[1].cost) == (try FixedDecimal(parsing: "0.000369")))
                    #expect(FixedDecimal(wire: usage.spentToday) == (try FixedDecimal(parsing: "0.000369")))
                    #expect(try await orchestrator.getAiUsage(PB.GetAIUsageRequest(userId: "bob")).rows.isEmpty)

                    // Each decision keeps what the model was shown and answered, hash-chained per bot.
                    let record = try await orchestrator.getDecision(PB.GetDecisionRequest(botId: bot.id, decisionId: decided[1].id))
                    #expect(record.seq == 2 && record.hash.count == 64)
                    let call = try #require(record.llmCall)
                    #expect(call.outcome == "voted" && call.prompt.contains("Market: BTC/USDT") && call.systemPrompt.contains("ensemble"))
                    #expect(call.response.contains("higher highs on rising volume") && call.inputTokens == 700 && call.outputTokens == 30)
                    #expect(FixedDecimal(wire: call.cost) == (try FixedDecimal(parsing: "0.000123")))
                    let failed = try await orchestrator.getDecision(PB.GetDecisionRequest(botId: bot.id, decisionId: decided[3].id))
                    #expect(failed.llmCall?.outcome == "provider_error" && failed.llmCall?.response == "")
                    var check = try await orchestrator.verifyDecisions(PB.VerifyDecisionsRequest(botId: bot.id))
                    #expect(check.intact && check.decisions == 4)

                    let admin = try Store(configuration: TestEnvironment.postgres, logger: Logger(label: "test"))
                    try await admin.unsafeExecuteRaw(
                        "UPDATE \"\(schema)\".decision_llm_calls SET response = replace(response, 'buy', 'sell') WHERE decision_id = '\(decided[1].id)'")
                    check = try await orchestrator.verifyDecisions(PB.VerifyDecisionsRequest())
                    #expect(!check.intact && check.firstBrokenSeq == 2 && check.brokenBotId == bot.id && check.message.contains("was changed"))
                    try await admin.unsafeExecuteRaw(
                        "UPDATE \"\(schema)\".decision_llm_calls SET response = replace(response, 'sell', 'buy') WHERE decision_id = '\(decided[1].id)'")
                    #expect(try await orchestrator.verifyDecisions(PB.VerifyDecisionsRequest()).intact)
                    // A deleted bot keeps its decisions; a deleted decision breaks the chain.
                    _ = try await orchestrator.stopBot(PB.GetBotRequest(id: bot.id))
                    _ = try await orchestrator.deleteBot(PB.GetBotRequest(id: bot.id))
                    check = try await orchestrator.verifyDecisions(PB.VerifyDecisionsRequest(botId: bot.id))
                    #expect(check.intact && check.decisions == 4)
                    try await admin.unsafeExecuteRaw("DELETE FROM \"\(schema)\".decisions WHERE id = '\(decided[2].id)'")
                    check = try await orchestrator.verifyDecisions(PB.VerifyDecisionsRequest(botId: bot.id))
                    #expect(!check.intact && check.firstBrokenSeq == 3 && check.message.contains("missing"))
                    await admin.shutdown()
                }
            }
        }
    }

    @Test func aSpentBudgetMakesTheAgentAbstainWithoutACall() async throws {
        try await ScriptedHTTPServer.with({ _, _ in ScriptedHTTPServer.json(Self.vote("sell", 0.8, "x")) }) { port, server in
            try await withPlatform { p in
                let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 800) * minute
                var price = 40_000.0
                try await p.market.deliver(candles(from: t0, count: 60, price: &price, step: 1.001), publish: false)
                let startPrice = price
                let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
                let ai = try Self.ai(port: port, botDaily: "0.00001")
                try await withOrchestrator(p, adjust: { $0.ai = ai }) { orchestrator in
                    let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                        ownerId: "ada", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(name: "ai_ensemble"), accountId: account))
                    _ = try await orchestrator.startBot(PB.GetBotRequest(id: bot.id))
                    let feed = try await DecisionFeed(bus: p.market.bus, bot: bot.id)
                    var last = startPrice
                    let candle = candles(from: t0 + 60 * minute, count: 1, price: &last, step: 1.001)[0]
                    try await p.market.deliver([candle])
                    let d = try #require(await feed.next())
                    let llm = try #require(d.opinions.first { $0.agent == "llm" })
                    #expect(llm.reasoning.hasPrefix("abstains (budget_exhausted): bot \(bot.id)'s daily AI budget of $0.00001 is spent"))
                    #expect(server.requests.isEmpty)
                    let usage = try await eventually("the refused call in the ledger") { () async throws -> PB.AIUsage? in
                        let u = try await orchestrator.getAiUsage(PB.GetAIUsageRequest(allUsers: true, days: 1))
                        return u.rows.isEmpty ? nil : u
                    }
                    #expect(usage.rows.map(\.userId) == ["ada"] && usage.rows.first?.failedCalls == 1 && usage.rows.first?.calls == 1)
                }
            }
        }
    }
}
