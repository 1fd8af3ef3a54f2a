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
                        #expect(d.opinions.map(\.agent) == ["trend", "momentum", "rsi_reversion", "volatility", "llm", "news", "macro"])
                        // No feed and no economic data configured: they abstain, saying so.
                        #expect(d.opinions.suffix(2).allSatisfy { $0.confidence == 0 && $0.reasoning.hasPrefix("abstains (not_configured)") })
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

                    // Replayed on what the agents saw: the same votes; live with the provider down, the LLM's differs.
                    let replay = try await orchestrator.replayDecision(PB.ReplayDecisionRequest(decisionId: decided[1].id))
                    #expect(!replay.differs && replay.agents.count == 7 && replay.summary.isEmpty && replay.botId == bot.id)
                    let replayedLLM = replay.agents.first { $0.agent == "llm" }?.replayed
                    #expect(replayedLLM?.action == .buy && replayedLLM?.confidence == 0.9)
                    #expect(abs(replay.storedScore - replay.replayedScore) < 1e-12)
                    #expect(decided[1].opinions.first?.features["0.ema_12"] != nil && decided[1].opinions.first?.features["p.fast_period"] == 12)
                    let shadow = try await orchestrator.replayDecision(PB.ReplayDecisionRequest(decisionId: decided[1].id, live: true, userId: "ada"))
                    #expect(shadow.differs && shadow.summary.hasPrefix("llm: buy 0.9 then, hold 0 now"), "\(shadow.summary)")
                    #expect(shadow.agents.filter(\.differs).map(\.agent) == ["llm"])
                    failing.withLock { $0 = false }
                    #expect(!(try await orchestrator.replayDecision(PB.ReplayDecisionRequest(decisionId: decided[1].id, live: true, userId: "ada"))).differs)

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

    /// A backtest of a strategy weighing the LLM: every bar after the warm-up asked once, with the
    /// leakage guard on; a re-run costs nothing (every answer cached) and gives the same result; a
    /// run over the budget is refused before any call, naming the limit.
    @Test func backtestsAskOnceWithTheGuardOnAndRespectTheBudget() async throws {
        try await ScriptedHTTPServer.with({ _, i in
            ScriptedHTTPServer.json(i % 3 == 0 ? Self.vote("sell", 0.8, "lower highs") : Self.vote("buy", 0.9, "higher lows"))
        }) { port, server in
            try await withPlatform { p in
                let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 1200) * minute
                var price = 40_000.0
                let bars = candles(from: t0, count: 60, price: &price, step: 1.002) + candles(from: t0 + 60 * minute, count: 60, price: &price, step: 0.998)
                try await p.market.deliver(bars, publish: false)
                let ai = try Self.ai(port: port, botDaily: "1")
                let request = PB.BacktestRequest(
                    symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: t0, toNs: t0 + 120 * minute), strategy: PB.StrategyConfig(name: "ai_ensemble"),
                    initialCash: dec("100000"))
                try await withOrchestrator(p, adjust: { $0.ai = ai }) { orchestrator in
                    let first = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: request)).id, owner: "ada")
                    #expect(first.status == .done, "\(first.error)")
                    let asked = server.requests.count
                    let llm = try #require(try JSONValue(parsing: first.resultJson)["llm"])
                    #expect(llm["called"]?.integer == asked && llm["cached"]?.integer == 0 && llm["leakage_guard"]?.bool == true)
                    #expect(asked > 50 && llm["bars_asked"]?.integer == asked)
                    // Guarded: no symbol, no dates, prices rebased to 100.
                    let prompt = try JSONValue(parsing: server.requests[asked - 1].body)["messages"]?.array?.last?["content"]?.string ?? ""
                    #expect(prompt.contains("Market: ASSET") && !prompt.contains("BTC"))
                    #expect(prompt.contains("t-0: ") && prompt.range(of: #"\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil)
                    #expect(prompt.range(of: #"t-19: \S+ \S+ \S+ 100 "#, options: .regularExpression) != nil, "\(prompt)")

                    // Again: all from the cache, nothing asked, the same result.
                    let second = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: request)).id, owner: "ada")
                    #expect(server.requests.count == asked)
                    let again = try #require(try JSONValue(parsing: second.resultJson)["llm"])
                    #expect(again["called"]?.integer == 0 && again["cached"]?.integer == asked)
                    var metrics = try JSONValue(parsing: first.resultJson), repeated = try JSONValue(parsing: second.resultJson)
                    if case .object(var m) = metrics { m["llm"] = nil; metrics = .object(m) }
                    if case .object(var m) = repeated { m["llm"] = nil; repeated = .object(m) }
                    #expect(metrics == repeated)

                    // Optimising it would ask about every bar of every trial: refused up front.
                    let search = PB.OptimizationRequest(backtest: request, ranges: [PB.ParameterRangeSpec(name: "threshold", from: 0.2, to: 0.4, step: 0.1)])
                    let refused = await JobServiceTests.code { _ = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: search)) }
                    #expect(refused.contains("weighs the llm agent"))
                }
                // A user whose budget cannot cover the uncached calls: refused before any call.
                var poor = ai
                poor.limits.userDaily = try FixedDecimal(parsing: "0.001")
                try await withOrchestrator(p, adjust: { $0.ai = poor }) { orchestrator in
                    let before = server.requests.count
                    var longer = request
                    longer.range = PB.TimeRange(fromNs: t0, toNs: t0 + 120 * minute)
                    let job = try await JobServiceTests.finished(
                        orchestrator, try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "bob", backtest: longer)).id, owner: "bob")
                    #expect(job.status == .failed && job.error.contains("ai.budget_exhausted") && job.error.contains("this backtest would ask"), "\(job.error)")
                    #expect(server.requests.count == before)
                }
            }
        }
    }

    /// An OpenAI answer calling `tools` (name, arguments), or saying `text`.
    static func openAI(tools: [(String, JSONValue)] = [], text: String? = nil) -> String {
        let calls: [JSONValue] = tools.enumerated().map { i, t in
            .object(["id": .string("call_\(i)"), "type": "function", "function": .object(["name": .string(t.0), "arguments": .string(t.1.jsonText)])])
        }
        var message: [String: JSONValue] = ["role": "assistant", "content": text.map(JSONValue.string) ?? .null]
        if !calls.isEmpty { message["tool_calls"] = .array(calls) }
        return JSONValue.object([
            "id": "chatcmpl-t", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": .array([.object(["index": 0, "message": .object(message), "finish_reason": .string(calls.isEmpty ? "stop" : "tool_calls")])]),
            "usage": .object(["prompt_tokens": 900, "completion_tokens": 60, "total_tokens": 960]),
        ]).jsonText
    }

    /// The model may propose a bot; only the user's yes creates it, once; anything else drops it;
    /// a viewer is not offered the tool.
    @Test func aBotTheAssistantProposesIsCreatedOnlyByTheUsersYes() async throws {
        let document = try JSONValue(parsing: #"{"version":1,"name":"RSI dip","rules":{"entry_long":[{"left":{"indicator":"rsi","period":14},"op":"<","right":30}],"exit_long":[{"left":{"indicator":"rsi","period":14},"op":">","right":70}]}}"#)
        let propose = Self.openAI(tools: [("create_bot", .object(["document": document, "symbol": "BTC/USDT", "timeframe": "1h", "name": "RSI dip"]))])
        try await ScriptedHTTPServer.with({ request, _ in
            // Asked to run something, the model proposes, then asks in words after the tool's result.
            let last = (try? JSONValue(parsing: request.body))?["messages"]?.array?.last
            if last?["role"]?.string == "tool" { return ScriptedHTTPServer.json(Self.openAI(text: "Shall I create the paper bot RSI dip on BTC/USDT 1h? Answer yes.")) }
            return ScriptedHTTPServer.json(last?["content"]?.string?.contains("run") == true ? propose : Self.openAI(text: "All right."))
        }) { port, server in
            try await withPlatform { p in
                let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("10000"))).id
                let ai = try Self.ai(port: port)
                try await withOrchestrator(p, adjust: { $0.ai = ai }) { orchestrator in
                    func say(_ message: String, in conversation: String = "", may: Bool = true) async throws -> PB.ChatResponse {
                        try await orchestrator.chat(PB.ChatRequest(userId: "ada", conversationId: conversation, message: message, accountId: account, mayCreateBots: may))
                    }
                    func bots() async throws -> [PB.Bot] { try await orchestrator.listBots(PB.ListBotsRequest(ownerId: "ada")).bots }
                    let asked = try await say("run an RSI dip bot on BTC/USDT hourly")
                    #expect(asked.createdBot == nil && asked.awaitingConfirmation.contains("“RSI dip” trading BTC/USDT on 1h"), "\(asked.awaitingConfirmation)")
                    #expect(try JSONValue(parsing: server.requests[0].body)["tools"]?.array?.contains { $0["function"]?["name"]?.string == "create_bot" } == true)
                    let result = try JSONValue(parsing: server.requests[1].body)["messages"]?.array?.last?["content"]?.string ?? ""
                    #expect(result.hasPrefix("proposed, NOT created"), "\(result)")
                    #expect(try await bots().isEmpty)
                    // Yes: created, stopped, without asking the model.
                    let calls = server.requests.count
                    let yes = try await say("Yes, please!", in: asked.conversationId)
                    let bot = try #require(yes.createdBot)
                    #expect(bot.name == "RSI dip" && bot.state == .stopped && bot.ownerId == "ada" && bot.accountId == account && bot.timeframe == .h1)
                    #expect(yes.reply.hasPrefix("Created a paper bot “RSI dip”") && server.requests.count == calls)
                    // Another yes creates nothing: the proposal was used up (the model answers as usual).
                    let again = try await say("yes", in: asked.conversationId)
                    #expect(again.createdBot == nil)
                    #expect(try await bots().count == 1)
                    // A proposal answered with anything but yes is dropped.
                    let other = try await say("run it on ETH too")
                    #expect(!other.awaitingConfirmation.isEmpty)
                    let no = try await say("no, wait", in: other.conversationId)
                    #expect(no.createdBot == nil)
                    #expect(try await say("yes", in: other.conversationId).createdBot == nil)
                    #expect(try await bots().count == 1)
                    // A viewer is not offered the tool.
                    let before = server.requests.count
                    _ = try await say("run an RSI dip bot", may: false)
                    #expect(try JSONValue(parsing: server.requests[before].body)["tools"]?.array?.contains { $0["function"]?["name"]?.string == "create_bot" } == false)
                }
                // Offline, the same: the strategy read from the words, proposed on the market named, created by the yes.
                try await withOrchestrator(p) { orchestrator in
                    func say(_ message: String, in conversation: String = "") async throws -> PB.ChatResponse {
                        try await orchestrator.chat(PB.ChatRequest(userId: "ada", conversationId: conversation, message: message, accountId: account, mayCreateBots: true))
                    }
                    let described = try await say("buy when RSI drops below 30, sell when it rises above 70")
                    let where_ = try await say("create a bot for it", in: described.conversationId)
                    #expect(where_.awaitingConfirmation.isEmpty && where_.clarifyingQuestions.contains { $0.hasPrefix("Which market should the bot trade?") })
                    let proposed = try await say("make it a bot on BTC/USDT with 4 hour bars", in: described.conversationId)
                    #expect(proposed.awaitingConfirmation.contains("trading BTC/USDT on 4h") && proposed.reply.hasSuffix("Answer yes to create it."), "\(proposed.reply)")
                    let yes = try await say("ok", in: described.conversationId)
                    #expect(yes.createdBot?.timeframe == .h4 && yes.createdBot?.ownerId == "ada", "\(yes.reply)")
                }
            }
        }
    }

    /// With a model configured the assistant works with tools, and proposes only what the validator accepted.
    @Test func theAssistantWritesStrategiesWithToolsAndFallsBackWhenItCannot() async throws {
        let invalid = try JSONValue(parsing: #"{"version":1,"name":"x","rules":{"entry_long":[{"left":{"indicator":"smaa","period":5},"op":">","right":"close"}]}}"#)
        let valid = try JSONValue(parsing: #"{"version":1,"name":"RSI dip","rules":{"entry_long":[{"left":{"indicator":"rsi","period":14},"op":"<","right":30}],"exit_long":[{"left":{"indicator":"rsi","period":14},"op":">","right":70}]}}"#)
        try await ScriptedHTTPServer.with({ _, i in
            switch i {
            case 0: ScriptedHTTPServer.json(Self.openAI(tools: [("list_templates", .object([:])), ("validate_strategy", .object(["document": invalid]))]))
            case 1: ScriptedHTTPServer.json(Self.openAI(tools: [("validate_strategy", .object(["document": valid])), ("explain_strategy", .object(["document": valid]))]))
            default: ScriptedHTTPServer.json(Self.openAI(text: "Here it is: it buys when RSI(14) is below 30 and sells above 70."))
            }
        }) { port, server in
            try await withPlatform { p in
                let ai = try Self.ai(port: port)
                try await withOrchestrator(p, adjust: { $0.ai = ai }) { orchestrator in
                    let reply = try await orchestrator.chat(PB.ChatRequest(userId: "ada", message: "buy when RSI is low, sell when it is high"))
                    #expect(reply.reply == "Here it is: it buys when RSI(14) is below 30 and sells above 70.")
                    #expect(try JSONValue(parsing: try #require(reply.proposedStrategy?.document)) == valid)
                    #expect(server.requests.count == 3)
                    let second = try JSONValue(parsing: server.requests[1].body)["messages"]?.array ?? []
                    let results = second.filter { $0["role"]?.string == "tool" }.compactMap { $0["content"]?.string }
                    #expect(results.count == 2 && results[0].contains("sma_cross:") && results[1].hasPrefix("invalid: strategy.unknown_indicator"))
                    let third = try JSONValue(parsing: server.requests[2].body)["messages"]?.array ?? []
                    let explained = Array(third.filter { $0["role"]?.string == "tool" }.compactMap { $0["content"]?.string }.suffix(2))
                    #expect(explained.first?.hasPrefix("valid: warm-up") == true && explained.first?.contains("rsi_14") == true, "\(explained)")
                    #expect(explained.last?.contains("Buy when RSI(14) is below 30") == true && explained.last?.contains("Sell the long when RSI(14) is above 70") == true)
                    #expect(try JSONValue(parsing: server.requests[0].body)["tools"]?.array?.count == 6)
                }
                // Over the budget: said plainly, and the offline reader answers.
                var poor = ai
                poor.limits.userDaily = try FixedDecimal(parsing: "0.0001")
                try await withOrchestrator(p, adjust: { $0.ai = poor }) { orchestrator in
                    let before = server.requests.count
                    let reply = try await orchestrator.chat(PB.ChatRequest(userId: "bob", message: "buy when RSI is below 30, sell when RSI is above 70"))
                    #expect(reply.reply.hasPrefix("I cannot use the language model now: today's AI budget is spent"))
                    #expect(reply.reply.contains("buy when RSI(14) is below 30") && reply.proposedStrategy?.document.isEmpty == false)
                    #expect(server.requests.count == before)
                }
            }
        }
    }
}
