import RPC
import Strategies

/// A model's answer, whatever the provider.
public struct LLMResponse: Sendable, Hashable {
    /// The answer's text (joined text blocks; for structured output, the JSON text).
    public var text: String
    /// Tools the model asked to call, in order.
    public var toolCalls: [LLMToolCall]
    /// The parsed answer when the request gave a schema; nil otherwise.
    public var structured: JSONValue?
    public var usage: LLMUsage
    /// The model that answered, as the provider names it.
    public var model: String
    /// Why the answer ended, in the provider's words (`stop`, `end_turn`, `STOP`, `tool_use`,
    /// `max_tokens`, …).
    public var stopReason: String

    public init(text: String = "", toolCalls: [LLMToolCall] = [], structured: JSONValue? = nil, usage: LLMUsage = LLMUsage(), model: String, stopReason: String = "") {
        self.text = text
        self.toolCalls = toolCalls
        self.structured = structured
        self.usage = usage
        self.model = model
        self.stopReason = stopReason
    }
}

/// Tokens a call used, from the provider's own usage fields.
public struct LLMUsage: Sendable, Hashable {
    /// Prompt tokens (the system prompt, the conversation, the tools).
    public var inputTokens: Int
    /// Answer tokens, thinking included (providers bill thinking as output).
    public var outputTokens: Int
    /// Of `outputTokens`, those spent thinking (0 where the provider does not say).
    public var thinkingTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, thinkingTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.thinkingTokens = thinkingTokens
    }
}
