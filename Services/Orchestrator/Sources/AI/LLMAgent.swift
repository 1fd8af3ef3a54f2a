import Foundation
import LanguageModels
import RPC
import Strategies
import TradingCore

/// The `llm` agent: shows the configured model the bar's market context and asks for a vote
/// {action, confidence, reasoning} as structured output, checked before it counts. It never
/// fails a decision: no provider, a spent budget, an error, a malformed answer or no answer
/// within the deadline make it abstain, with the reason in its opinion. An answer that comes
/// after the decision was taken is still recorded (`late`), not acted on.
public struct LLMAgent: Sendable {
    /// The configured model; nil when no provider is configured.
    let model: LanguageModel?
    /// How long a decision waits for the vote. The call itself may run three times as long, so a
    /// late answer can still be recorded.
    let deadline: Duration

    /// What the agent answered for one bar.
    struct Vote: Sendable {
        /// A vote, or a hold at confidence 0 (an abstention) with the reason.
        var opinion: AgentOpinion
        /// What was asked and answered; nil when no call was made.
        var call: DecisionLLMCall?
        /// When the answer was late: the call, finishing in the background, with its record.
        var late: Task<DecisionLLMCall, Never>?
    }

    /// The vote's JSON Schema (strict: every field required, no others).
    public static let schema = try! JSONValue(
        parsing: #"{"type":"object","properties":{"action":{"type":"string","enum":["buy","sell","hold"],"description":"what to do at this close"},"confidence":{"type":"number","description":"0 (no idea) to 1 (sure)"},"reasoning":{"type":"string","description":"one or two sentences"}},"required":["action","confidence","reasoning"],"additionalProperties":false}"#
    )

    /// What the agent asks the model for a context's `prompt`: a vote by the schema, in at most
    /// 300 tokens, at temperature 0 (the same context, the same vote, as far as the model allows).
    public static func request(_ prompt: String) -> LLMRequest {
        LLMRequest(
            system: MarketContext.system, messages: [.user(prompt)], responseSchema: schema, schemaName: "vote", maxOutputTokens: 300, temperature: 0,
            purpose: "agent")
    }

    static func abstain(_ code: String, _ why: String) -> AgentOpinion {
        AgentOpinion(action: .hold, confidence: 0, reasoning: "abstains (\(code)): \(why)")
    }

    func vote(_ context: MarketContext, user: String, bot: String) async -> Vote {
        guard let model else { return Vote(opinion: Self.abstain("not_configured", "no language model is configured (ai.provider)")) }
        let prompt = context.prompt
        let request = Self.request(prompt)
        var record = DecisionLLMCall(
            provider: model.client.provider, model: model.client.endpoint.model, system: MarketContext.system, prompt: prompt, response: "",
            usage: LLMUsage(), cost: .zero, latencyMs: 0, outcome: "")
        let callDeadline = deadline * 3
        let call = Task { () -> Result<LLMAnswer, LLMError> in
            do throws(LLMError) { return .success(try await model.ask(request, user: user, bot: bot, deadline: callDeadline)) } catch { return .failure(error) }
        }
        let wait = deadline
        let first = await withTaskGroup(of: Result<LLMAnswer, LLMError>?.self) { group in
            group.addTask { await call.value }
            group.addTask {
                try? await Task.sleep(for: wait)
                return nil
            }
            let winner = await group.next() ?? nil
            group.cancelAll()
            return winner
        }
        guard let first else {
            record.outcome = "late"
            let pending = record
            let late = Task { () -> DecisionLLMCall in Self.finish(pending, await call.value).record }
            return Vote(opinion: Self.abstain("late", "no answer within \(wait); it will be recorded when it comes, not acted on"), call: record, late: late)
        }
        let (opinion, finished) = Self.finish(record, first)
        return Vote(opinion: opinion, call: finished)
    }

    /// The opinion an answer gives, and the record with it.
    static func finish(_ record: DecisionLLMCall, _ result: Result<LLMAnswer, LLMError>) -> (opinion: AgentOpinion, record: DecisionLLMCall) {
        var record = record
        switch result {
        case .failure(let error):
            let code = error.code == .budgetExhausted ? "budget_exhausted" : String(error.code.rawValue.dropFirst(3))
            record.outcome = code
            return (abstain(code, error.message), record)
        case .success(let answer):
            record.response = answer.response.text
            record.usage = answer.response.usage
            record.cost = answer.cost
            record.latencyMs = answer.latencyMs
            if !answer.response.model.isEmpty { record.model = answer.response.model }
            switch Self.read(answer.response.structured) {
            case .success(let opinion):
                record.outcome = "voted"
                return (opinion, record)
            case .failure(let why):
                record.outcome = "malformed"
                return (abstain("malformed", why.message), record)
            }
        }
    }

    /// Why an answer is not a vote.
    public struct Malformed: Error { public var message: String }

    /// The vote in `answer`, checked: an action of buy/sell/hold, a confidence in 0…1, reasoning text.
    public static func read(_ answer: JSONValue?) -> Result<AgentOpinion, Malformed> {
        guard let answer, case .object = answer else { return .failure(Malformed(message: "the answer is not a JSON object")) }
        guard let word = answer["action"]?.string, let action = AgentOpinion.Action(rawValue: word.lowercased()) else {
            return .failure(Malformed(message: "action must be buy, sell or hold, not \(answer["action"]?.jsonText.prefix(40) ?? "missing")"))
        }
        guard let confidence = answer["confidence"]?.number, confidence.isFinite, (0...1).contains(confidence) else {
            return .failure(Malformed(message: "confidence must be a number from 0 to 1, not \(answer["confidence"]?.jsonText.prefix(40) ?? "missing")"))
        }
        guard let reasoning = answer["reasoning"]?.string else { return .failure(Malformed(message: "reasoning is missing")) }
        let text = reasoning.trimmingCharacters(in: .whitespacesAndNewlines)
        return .success(AgentOpinion(action: action, confidence: confidence, reasoning: String(text.prefix(600))))
    }
}
