import Foundation
import LanguageModels
import Logging
import RPC
import ServiceKitTesting
import Strategies
import Synchronization
import Testing
import TradingCore

/// Budgets fail closed: a call that could pass a limit is not made; costs are exact, from the
/// provider's usage and the price table; the ledger's spend survives a restart.
@Suite struct BudgetTests {
    typealias Server = ScriptedHTTPServer

    static func dollars(_ text: String) -> FixedDecimal { try! FixedDecimal(parsing: text) }

    static func model(port: Int, ledger: any LLMUsageLedger, bot: String = "1", user: String = "5", platform: String = "100", callTokens: Int = 1000)
        throws -> LanguageModel
    {
        let client = Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1")
        // $2 / $8 per million tokens: OpenAI's example answer (19 in, 10 out) costs $0.000118.
        let prices = try LLMPrices(parsing: "test-model=2/8; gpt-4.1=2/8")
        let limits = LLMLimits(callTokens: callTokens, botDaily: dollars(bot), userDaily: dollars(user), platformDaily: dollars(platform))
        return LanguageModel(client: client, budget: LLMBudget(limits: limits, prices: prices, ledger: ledger), thinkingBudget: nil, logger: .init(label: "t"))
    }

    @Test func pricesAreReadStrictlyAndCostsAreExact() throws {
        let prices = try LLMPrices(parsing: " gpt-4o-mini = 0.15/0.60 ; claude-sonnet-4-5=3/15")
        #expect(prices.cost(LLMUsage(inputTokens: 1_000_000, outputTokens: 1_000_000), model: "gpt-4o-mini") == Self.dollars("0.75"))
        // A dated model name is priced by its configured stem; a fraction of 10⁻⁸ rounds up.
        #expect(prices.cost(LLMUsage(inputTokens: 1, outputTokens: 0), model: "gpt-4o-mini-2024-07-18") == Self.dollars("0.00000015"))
        #expect(prices.cost(LLMUsage(inputTokens: 3, outputTokens: 0), model: "claude-sonnet-4-5") == Self.dollars("0.000009"))
        #expect(prices.cost(LLMUsage(inputTokens: 1), model: "unknown") == nil)
        for bad in ["gpt-4o=1", "gpt-4o=a/b", "gpt-4o=-1/2", "=1/2x"] {
            let error = #expect(throws: LLMError.self) { try LLMPrices(parsing: bad) }
            #expect(error?.message.contains("MODEL=INPUT/OUTPUT") == true)
        }
    }

    @Test func theActualCostIsChargedAndCounted() async throws {
        let ledger = MemoryUsageLedger()
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, _ in
            let model = try Self.model(port: port, ledger: ledger)
            let answer = try await model.ask(Fixture.question, user: "u1", bot: "b1")
            #expect(answer.cost == Self.dollars("0.000118"))  // 19 × $2/M + 10 × $8/M
        }
        #expect(try await eventually(5) { ledger.all.count == 1 })
        let record = try #require(ledger.all.first)
        #expect(record.user == "u1" && record.bot == "b1" && record.outcome == "ok" && record.purpose == "test")
        #expect(record.model == "gpt-4.1-2025-04-14" && record.usage == LLMUsage(inputTokens: 19, outputTokens: 10))
    }

    @Test func aCallIsBoundedByTheCallLimitAndRefusedPastTheBotsDailyLimit() async throws {
        let ledger = MemoryUsageLedger()
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            // Each call may cost up to ~200 tokens out at $8/M plus its prompt: the bot's $0.004
            // allows a few calls, then refuses before sending anything.
            let model = try Self.model(port: port, ledger: ledger, bot: "0.004", callTokens: 200)
            var request = Fixture.question
            request.maxOutputTokens = 50_000
            var made = 0
            var refusal: LLMError?
            for _ in 0..<100 {
                do {
                    _ = try await model.ask(request, user: "u1", bot: "b1")
                    made += 1
                } catch let error as LLMError {
                    refusal = error
                    break
                }
            }
            #expect(try JSONValue(parsing: server.requests[0].body)["max_completion_tokens"]?.integer == 200)
            #expect(made > 1 && made < 100)
            #expect(server.requests.count == made)
            #expect(refusal?.code == .budgetExhausted)
            #expect(refusal?.message.contains("bot b1's daily AI budget of $0.004 is spent") == true)
            // Another bot of the same user still has its own budget.
            _ = try await model.ask(request, user: "u1", bot: "b2")
            #expect(server.requests.count == made + 1)
        }
    }

    @Test func userAndPlatformLimitsApplyAcrossBots() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            let user = try Self.model(port: port, ledger: MemoryUsageLedger(), bot: "100", user: "0.0006")
            _ = try await user.ask(Fixture.question, user: "u1", bot: "a")
            let error = await #expect(throws: LLMError.self) { try await user.ask(Fixture.question, user: "u1", bot: "b") }
            #expect(error?.message.contains("your daily AI budget") == true)
            let platform = try Self.model(port: port, ledger: MemoryUsageLedger(), bot: "100", user: "100", platform: "0.0006")
            _ = try await platform.ask(Fixture.question, user: "u1")
            let other = await #expect(throws: LLMError.self) { try await platform.ask(Fixture.question, user: "u2") }
            #expect(other?.message.contains("the platform's daily AI budget") == true)
            #expect(server.requests.count == 2)
        }
    }

    @Test func spendSoFarIsReadFromTheLedgerAndAnUnreadableLedgerRefuses() async throws {
        let ledger = MemoryUsageLedger()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await ledger.record(
            LLMUsageRecord(at: now, user: "u1", bot: "b1", provider: "openai", model: "test-model", purpose: "agent", usage: LLMUsage(), cost: Self.dollars("1"), latencyMs: 1, outcome: "ok"))
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            // A new process (a new budget) over the same ledger sees the dollar already spent.
            let model = try Self.model(port: port, ledger: ledger, bot: "1")
            let error = await #expect(throws: LLMError.self) { try await model.ask(Fixture.question, user: "u1", bot: "b1") }
            #expect(error?.code == .budgetExhausted)
            let broken = try Self.model(port: port, ledger: FailingLedger())
            let unread = await #expect(throws: LLMError.self) { try await broken.ask(Fixture.question, user: "u1") }
            #expect(unread?.message.contains("cannot be read") == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aModelWithoutAPriceIsRefusedBeforeAnyCall() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            let client = Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1")
            let budget = LLMBudget(
                limits: LLMLimits(callTokens: 100, botDaily: .one, userDaily: .one, platformDaily: .one), prices: try LLMPrices(parsing: "other=1/1"),
                ledger: MemoryUsageLedger())
            let model = LanguageModel(client: client, budget: budget, thinkingBudget: nil, logger: .init(label: "t"))
            let error = await #expect(throws: LLMError.self) { try await model.ask(Fixture.question, user: "u") }
            #expect(error?.code == .notConfigured)
            #expect(server.requests.isEmpty)
        }
    }
}

/// A ledger whose store is down.
struct FailingLedger: LLMUsageLedger {
    struct Down: Error {}
    func spent(day: Int, scope: LLMBudget.Scope) async throws -> FixedDecimal { throw Down() }
    func record(_ record: LLMUsageRecord) async throws { throw Down() }
}
