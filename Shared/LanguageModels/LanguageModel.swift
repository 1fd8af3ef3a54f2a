import Foundation
import Logging
import Metrics
import RPC
import TradingCore

/// An answer with what it cost.
public struct LLMAnswer: Sendable, Hashable {
    public var response: LLMResponse
    /// In US dollars, from the provider's usage and the price table.
    public var cost: FixedDecimal
    /// From sending the request to the whole answer, retries included.
    public var latencyMs: Int
    public var provider: String
}

/// The configured model with its budget: every call of the AI layer (agents, the assistant, news
/// sentiment) goes through `ask`, which refuses past a limit before anything is sent, bounds the
/// answer to the per-call token limit, counts tokens and cost in metrics (by provider, model and
/// purpose) and keeps each call in the ledger.
public final class LanguageModel: Sendable {
    public let client: LLMClient
    public let budget: LLMBudget
    /// Gemini's thinking budget for calls that reason (`ai.thinking_budget`); nil for none.
    public let thinkingBudget: Int?
    private let logger: Logger

    public init(client: LLMClient, budget: LLMBudget, thinkingBudget: Int?, logger: Logger) {
        self.client = client
        self.budget = budget
        self.thinkingBudget = thinkingBudget
        self.logger = logger
    }

    /// The provider and model, for records (`openai/gpt-4o-mini`).
    public var name: String { "\(client.provider)/\(client.endpoint.model)" }

    /// Asks for `user` (and `bot`, whose own limit then applies too).
    public func ask(
        _ request: LLMRequest, user: String, bot: String? = nil, deadline: Duration? = nil, onText: (@Sendable (String) async -> Void)? = nil
    ) async throws(LLMError) -> LLMAnswer {
        var request = request
        request.maxOutputTokens = min(request.maxOutputTokens, budget.limits.callTokens)
        if request.thinkingBudget == nil, client.provider == "gemini" { request.thinkingBudget = thinkingBudget }
        let model = client.endpoint.model
        let worst = try budget.worstCost(request, model: model)
        let reservation: LLMBudget.Reservation
        do { reservation = try await budget.reserve(worst, user: user, bot: bot) } catch {
            count(purpose: request.purpose, model: model, outcome: error.code.rawValue, usage: nil, cost: nil)
            // Kept (at no cost) so that the usage shows the calls a budget turned away.
            keep(LLMUsageRecord(
                at: Int64(Date().timeIntervalSince1970 * 1000), user: user, bot: bot ?? "", provider: client.provider, model: model, purpose: request.purpose,
                usage: LLMUsage(), cost: .zero, latencyMs: 0, outcome: error.code.rawValue))
            throw error
        }
        let start = ContinuousClock.now
        var outcome = "ok"
        var usage = LLMUsage()
        var cost = FixedDecimal.zero
        var answeredBy = model
        defer {
            let record = LLMUsageRecord(
                at: Int64(Date().timeIntervalSince1970 * 1000), user: user, bot: bot ?? "", provider: client.provider, model: answeredBy,
                purpose: request.purpose, usage: usage, cost: cost, latencyMs: Self.ms(ContinuousClock.now - start), outcome: outcome)
            count(purpose: request.purpose, model: answeredBy, outcome: outcome, usage: usage, cost: cost)
            budget.settle(reservation, cost: cost)
            keep(record)
        }
        do {
            let response = try await client.complete(request, deadline: deadline, onText: onText)
            usage = response.usage
            if !response.model.isEmpty { answeredBy = response.model }
            cost = budget.prices.cost(usage, model: answeredBy) ?? budget.prices.cost(usage, model: model) ?? worst
            return LLMAnswer(response: response, cost: cost, latencyMs: Self.ms(ContinuousClock.now - start), provider: client.provider)
        } catch {
            outcome = error.code.rawValue
            // Cut off mid-answer, the provider may well have billed: the worst case counts.
            if error.code == .timeout || error.code == .connectionLost { cost = worst }
            throw error
        }
    }

    /// Writes `record` to the ledger off the caller's path.
    private func keep(_ record: LLMUsageRecord) {
        let budget = self.budget, logger = self.logger
        Task {
            do { try await budget.keep(record) } catch {
                logger.error("an AI call's cost could not be kept in the ledger; it still counts against today's limits", metadata: ["error": "\(error)"])
            }
        }
    }

    private func count(purpose: String, model: String, outcome: String, usage: LLMUsage?, cost: FixedDecimal?) {
        let dims = [("provider", client.provider), ("model", model), ("purpose", purpose)]
        Counter(label: "tradewind_ai_calls_total", dimensions: dims + [("outcome", outcome)]).increment()
        if let usage {
            Counter(label: "tradewind_ai_tokens_total", dimensions: dims + [("direction", "input")]).increment(by: Int64(usage.inputTokens))
            Counter(label: "tradewind_ai_tokens_total", dimensions: dims + [("direction", "output")]).increment(by: Int64(usage.outputTokens))
        }
        if let cost, !cost.isZero { FloatingPointCounter(label: "tradewind_ai_cost_dollars_total", dimensions: dims).increment(by: cost.doubleValue) }
    }

    private static func ms(_ d: Duration) -> Int { Int(d.milliseconds) }
}
