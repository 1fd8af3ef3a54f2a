import RPC
import Strategies

/// One question to a language model, in the shape every provider adapter translates from: a
/// system prompt, the conversation, the tools it may call, and optionally the JSON Schema its
/// answer must follow (structured output).
public struct LLMRequest: Sendable, Hashable {
    /// Instructions that frame the whole exchange.
    public var system: String
    /// The conversation so far, oldest first; the last is the user's (or a tool result).
    public var messages: [LLMMessage]
    /// Tools the model may call; their calls come back in `LLMResponse.toolCalls`.
    public var tools: [LLMTool]
    /// When set, the answer is one JSON value following this schema (`LLMResponse.structured`).
    public var responseSchema: JSONValue?
    /// The schema's name, as providers that ask for one show it to the model.
    public var schemaName: String
    /// Most tokens the answer may use (the per-call budget: never above the configured limit).
    public var maxOutputTokens: Int
    public var temperature: Double?
    /// Tokens a reasoning model may think with (Gemini's `thinkingConfig.thinkingBudget`); nil
    /// leaves the provider's default.
    public var thinkingBudget: Int?
    /// What the call is for (`agent`, `assistant`, `news`): metrics and budgets are kept by it.
    public var purpose: String

    /// A request; `purpose` names the caller for accounting.
    public init(
        system: String, messages: [LLMMessage], tools: [LLMTool] = [], responseSchema: JSONValue? = nil, schemaName: String = "answer",
        maxOutputTokens: Int = 1024, temperature: Double? = nil, thinkingBudget: Int? = nil, purpose: String
    ) {
        self.system = system
        self.messages = messages
        self.tools = tools
        self.responseSchema = responseSchema
        self.schemaName = schemaName
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
        self.thinkingBudget = thinkingBudget
        self.purpose = purpose
    }
}

/// One turn of a conversation.
public struct LLMMessage: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable { case user, assistant }
    public var role: Role
    public var content: [LLMContent]

    public init(_ role: Role, _ content: [LLMContent]) {
        self.role = role
        self.content = content
    }

    /// A user's plain words.
    public static func user(_ text: String) -> LLMMessage { LLMMessage(.user, [.text(text)]) }
    /// The model's plain words (an earlier answer).
    public static func assistant(_ text: String) -> LLMMessage { LLMMessage(.assistant, [.text(text)]) }
}

/// A part of a turn.
public enum LLMContent: Sendable, Hashable {
    case text(String)
    /// The model asked for a tool (in an assistant turn).
    case toolCall(LLMToolCall)
    /// What the tool answered (in a user turn), for the call with `id`.
    case toolResult(id: String, name: String, content: String, isError: Bool)
}

/// A tool the model may call: a name, what it does, and its arguments' JSON Schema.
public struct LLMTool: Sendable, Hashable {
    public var name: String
    public var description: String
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}

/// A call the model made: the provider's id for it (Gemini has none: the name then), the tool and
/// its arguments.
public struct LLMToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var arguments: JSONValue

    public init(id: String, name: String, arguments: JSONValue) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
