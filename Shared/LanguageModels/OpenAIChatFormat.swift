import RPC
import Strategies

/// OpenAI's Chat Completions API (`POST /v1/chat/completions`), as its API reference gives it
/// (https://platform.openai.com/docs/api-reference/chat/create and …/chat-streaming): `messages`
/// with `system`, `user`, `assistant` (with `tool_calls`) and `tool` roles; `tools` of type
/// `function`; structured output as `response_format: {type: json_schema, json_schema: {name,
/// schema, strict}}`; streaming as `data:` chunks of `chat.completion.chunk` ending with
/// `data: [DONE]`, tool calls assembled by `index`, usage in a last chunk with no choices
/// (`stream_options.include_usage`). Every OpenAI-compatible server (Ollama's `/v1`, vLLM,
/// llama.cpp's server, LM Studio) speaks it at its own base URL.
public struct OpenAIChatFormat: LLMWireFormat {
    public let provider = "openai"
    /// The field that limits the answer: `max_completion_tokens` (OpenAI's current name, which its
    /// reasoning models require) or `max_tokens` (older compatible servers).
    public let maxTokensField: String

    public init(maxTokensField: String = "max_completion_tokens") { self.maxTokensField = maxTokensField }

    public func endpoint(model: String, streaming: Bool) -> (path: String, query: [(String, String)]) { ("/chat/completions", []) }

    public func headers(apiKey: String?) -> [(String, String)] { apiKey.map { [("Authorization", "Bearer \($0)")] } ?? [] }

    public func body(_ request: LLMRequest, model: String, streaming: Bool) -> JSONValue {
        var messages: [JSONValue] = []
        if !request.system.isEmpty { messages.append(.object(["role": .string("system"), "content": .string(request.system)])) }
        for message in request.messages {
            var text = ""
            var calls: [JSONValue] = []
            for part in message.content {
                switch part {
                case .text(let t): text += t
                case .toolCall(let call):
                    calls.append(.object([
                        "id": .string(call.id), "type": .string("function"),
                        "function": .object(["name": .string(call.name), "arguments": .string(call.arguments.jsonText)]),
                    ]))
                case .toolResult(let id, _, let content, _):
                    messages.append(.object(["role": .string("tool"), "tool_call_id": .string(id), "content": .string(content)]))
                }
            }
            guard !text.isEmpty || !calls.isEmpty else { continue }
            var m: [String: JSONValue] = ["role": .string(message.role.rawValue), "content": text.isEmpty ? .null : .string(text)]
            if !calls.isEmpty { m["tool_calls"] = .array(calls) }
            messages.append(.object(m))
        }
        var body: [String: JSONValue] = ["model": .string(model), "messages": .array(messages), maxTokensField: .number(Double(request.maxOutputTokens))]
        if let t = request.temperature { body["temperature"] = .number(t) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                .object(["type": .string("function"), "function": .object(["name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters])])
            })
        }
        if let schema = request.responseSchema {
            body["response_format"] = .object([
                "type": .string("json_schema"),
                "json_schema": .object(["name": .string(request.schemaName), "schema": schema, "strict": .bool(true)]),
            ])
        }
        if streaming {
            body["stream"] = .bool(true)
            body["stream_options"] = .object(["include_usage": .bool(true)])
        }
        return .object(body)
    }

    public func response(_ body: JSONValue, to request: LLMRequest) throws(LLMError) -> LLMResponse {
        guard let choice = body["choices"]?.array?.first, let message = choice["message"] else {
            throw LLMError(.malformedResponse, "openai answered without choices[0].message: \(body.jsonText.prefix(200))")
        }
        var calls: [LLMToolCall] = []
        for call in message["tool_calls"]?.array ?? [] {
            guard let name = call["function"]?["name"]?.string else { throw LLMError(.malformedResponse, "openai sent a tool call without a function name") }
            let arguments = try JSONValue.arguments(call["function"]?["arguments"]?.string ?? "", tool: name, provider)
            calls.append(LLMToolCall(id: call["id"]?.string ?? name, name: name, arguments: arguments))
        }
        let text = message["content"]?.string ?? message["refusal"]?.string ?? ""
        return LLMResponse(
            text: text, toolCalls: calls, structured: calls.isEmpty ? try request.structured(from: text, provider: provider) : nil,
            usage: Self.usage(body["usage"]), model: body["model"]?.string ?? "", stopReason: choice["finish_reason"]?.string ?? "")
    }

    static func usage(_ u: JSONValue?) -> LLMUsage {
        LLMUsage(
            inputTokens: u?["prompt_tokens"]?.integer ?? 0, outputTokens: u?["completion_tokens"]?.integer ?? 0,
            thinkingTokens: u?["completion_tokens_details"]?["reasoning_tokens"]?.integer ?? 0)
    }

    public func streamReader(for request: LLMRequest) -> any LLMStreamReader { Reader(request: request) }

    public func errorWords(_ body: JSONValue) -> String? {
        guard let error = body["error"], let message = error["message"]?.string ?? error.string else { return nil }
        let kind = error["code"]?.string ?? error["type"]?.string
        return kind.map { "\($0): \(message)" } ?? message
    }

    struct Reader: LLMStreamReader {
        let request: LLMRequest
        var text = ""
        var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        var usage = LLMUsage()
        var model = ""
        var stopReason = ""
        var finished = false

        mutating func take(_ event: ServerSentEventReader.Event) throws(LLMError) -> String {
            if event.data == "[DONE]" {
                finished = true
                return ""
            }
            let chunk = try JSONValue.provider(event.data, "openai")
            if let words = OpenAIChatFormat().errorWords(chunk) { throw LLMError(.providerError, "openai failed mid-answer: \(words)") }
            if let m = chunk["model"]?.string { model = m }
            if let u = chunk["usage"], u != .null { usage = OpenAIChatFormat.usage(u) }
            guard let choice = chunk["choices"]?.array?.first else { return "" }
            if let reason = choice["finish_reason"]?.string { stopReason = reason }
            let delta = choice["delta"]
            for call in delta?["tool_calls"]?.array ?? [] {
                let index = call["index"]?.integer ?? 0
                var entry = calls[index] ?? ("", "", "")
                if let id = call["id"]?.string { entry.id = id }
                if let name = call["function"]?["name"]?.string { entry.name += name }
                if let part = call["function"]?["arguments"]?.string { entry.arguments += part }
                calls[index] = entry
            }
            let added = delta?["content"]?.string ?? ""
            text += added
            return added
        }

        func response() throws(LLMError) -> LLMResponse {
            var toolCalls: [LLMToolCall] = []
            for index in calls.keys.sorted() {
                let c = calls[index]!
                toolCalls.append(LLMToolCall(id: c.id.isEmpty ? c.name : c.id, name: c.name, arguments: try JSONValue.arguments(c.arguments, tool: c.name, "openai")))
            }
            return LLMResponse(
                text: text, toolCalls: toolCalls, structured: toolCalls.isEmpty ? try request.structured(from: text, provider: "openai") : nil,
                usage: usage, model: model, stopReason: stopReason)
        }
    }
}
