import RPC
import Strategies

/// Anthropic's Messages API (`POST /v1/messages`), as its documentation gives it
/// (https://docs.anthropic.com/en/api/messages, …/en/api/errors and
/// https://platform.claude.com/docs/build-with-claude/streaming): `x-api-key` and
/// `anthropic-version: 2023-06-01` headers; `system` beside `messages` whose content is blocks
/// (`text`, `tool_use`, `tool_result`); `tools` with `input_schema`; usage `input_tokens` /
/// `output_tokens`; streaming as named events (`message_start`, `content_block_start`,
/// `content_block_delta` with `text_delta` or `input_json_delta`, `content_block_stop`,
/// `message_delta` with the stop reason and output usage, `message_stop`, `ping`, `error`).
/// Structured output is a tool named after the schema that the model is made to call
/// (`tool_choice: {type: tool}`), the way Anthropic documents JSON output with tools.
public struct AnthropicMessagesFormat: LLMWireFormat {
    public let provider = "anthropic"
    /// The `anthropic-version` header.
    public static let apiVersion = "2023-06-01"

    public init() {}

    public func endpoint(model: String, streaming: Bool) -> (path: String, query: [(String, String)]) { ("/messages", []) }

    public func headers(apiKey: String?) -> [(String, String)] {
        [("anthropic-version", Self.apiVersion)] + (apiKey.map { [("x-api-key", $0)] } ?? [])
    }

    public func body(_ request: LLMRequest, model: String, streaming: Bool) -> JSONValue {
        let messages: [JSONValue] = request.messages.map { message in
            .object([
                "role": .string(message.role.rawValue),
                "content": .array(message.content.map { part in
                    switch part {
                    case .text(let t): .object(["type": .string("text"), "text": .string(t)])
                    case .toolCall(let c): .object(["type": .string("tool_use"), "id": .string(c.id), "name": .string(c.name), "input": c.arguments])
                    case .toolResult(let id, _, let content, let isError):
                        .object(["type": .string("tool_result"), "tool_use_id": .string(id), "content": .string(content), "is_error": .bool(isError)])
                    }
                }),
            ])
        }
        var body: [String: JSONValue] = ["model": .string(model), "max_tokens": .number(Double(request.maxOutputTokens)), "messages": .array(messages)]
        if !request.system.isEmpty { body["system"] = .string(request.system) }
        if let t = request.temperature { body["temperature"] = .number(t) }
        var tools = request.tools.map { tool in
            JSONValue.object(["name": .string(tool.name), "description": .string(tool.description), "input_schema": tool.parameters])
        }
        if let schema = request.responseSchema {
            tools.append(.object(["name": .string(request.schemaName), "description": .string("Give the answer."), "input_schema": schema]))
            body["tool_choice"] = .object(["type": .string("tool"), "name": .string(request.schemaName)])
        }
        if !tools.isEmpty { body["tools"] = .array(tools) }
        if streaming { body["stream"] = .bool(true) }
        return .object(body)
    }

    public func response(_ body: JSONValue, to request: LLMRequest) throws(LLMError) -> LLMResponse {
        guard let blocks = body["content"]?.array else { throw LLMError(.malformedResponse, "anthropic answered without content: \(body.jsonText.prefix(200))") }
        var text = ""
        var calls: [LLMToolCall] = []
        for block in blocks {
            switch block["type"]?.string {
            case "text": text += block["text"]?.string ?? ""
            case "tool_use":
                guard let name = block["name"]?.string else { throw LLMError(.malformedResponse, "anthropic sent a tool_use block without a name") }
                calls.append(LLMToolCall(id: block["id"]?.string ?? name, name: name, arguments: block["input"] ?? .object([:])))
            default: break  // thinking blocks and others carry nothing the caller reads
            }
        }
        return try finish(text: text, calls: calls, usage: Self.usage(body["usage"]), model: body["model"]?.string ?? "", stop: body["stop_reason"]?.string ?? "", request)
    }

    /// The answer, with the schema tool's call taken as the structured answer.
    func finish(text: String, calls: [LLMToolCall], usage: LLMUsage, model: String, stop: String, _ request: LLMRequest) throws(LLMError) -> LLMResponse {
        var calls = calls
        var structured: JSONValue?
        if request.responseSchema != nil {
            guard let index = calls.firstIndex(where: { $0.name == request.schemaName }) else {
                throw LLMError(.malformedResponse, "anthropic did not give the \(request.schemaName) answer it was asked for: \(text.prefix(200))")
            }
            structured = calls.remove(at: index).arguments
        }
        return LLMResponse(text: structured?.jsonText ?? text, toolCalls: calls, structured: structured, usage: usage, model: model, stopReason: stop)
    }

    static func usage(_ u: JSONValue?) -> LLMUsage {
        LLMUsage(inputTokens: u?["input_tokens"]?.integer ?? 0, outputTokens: u?["output_tokens"]?.integer ?? 0)
    }

    public func streamReader(for request: LLMRequest) -> any LLMStreamReader { Reader(request: request) }

    public func errorWords(_ body: JSONValue) -> String? {
        guard let error = body["error"], let message = error["message"]?.string else { return nil }
        return error["type"]?.string.map { "\($0): \(message)" } ?? message
    }

    struct Reader: LLMStreamReader {
        let request: LLMRequest
        var blocks: [Int: (kind: String, text: String, id: String, name: String, json: String)] = [:]
        var usage = LLMUsage()
        var model = ""
        var stopReason = ""
        var finished = false

        mutating func take(_ event: ServerSentEventReader.Event) throws(LLMError) -> String {
            let e = try JSONValue.provider(event.data, "anthropic")
            switch e["type"]?.string ?? event.name {
            case "message_start":
                model = e["message"]?["model"]?.string ?? ""
                usage = AnthropicMessagesFormat.usage(e["message"]?["usage"])
            case "content_block_start":
                let block = e["content_block"]
                blocks[e["index"]?.integer ?? 0] = (
                    block?["type"]?.string ?? "", block?["text"]?.string ?? "", block?["id"]?.string ?? "", block?["name"]?.string ?? "", ""
                )
            case "content_block_delta":
                let index = e["index"]?.integer ?? 0
                guard var block = blocks[index] else { throw LLMError(.malformedResponse, "anthropic sent a delta for block \(index) before it started") }
                let delta = e["delta"]
                switch delta?["type"]?.string {
                case "text_delta":
                    let added = delta?["text"]?.string ?? ""
                    block.text += added
                    blocks[index] = block
                    return added
                case "input_json_delta": block.json += delta?["partial_json"]?.string ?? ""
                default: break  // thinking and signature deltas
                }
                blocks[index] = block
            case "message_delta":
                if let reason = e["delta"]?["stop_reason"]?.string { stopReason = reason }
                if let out = e["usage"]?["output_tokens"]?.integer { usage.outputTokens = out }
                if let input = e["usage"]?["input_tokens"]?.integer { usage.inputTokens = input }
            case "message_stop": finished = true
            case "error":
                let words = AnthropicMessagesFormat().errorWords(e) ?? event.data
                let code: LLMErrorCode = e["error"]?["type"]?.string == "rate_limit_error" ? .rateLimited : .providerError
                throw LLMError(code, "anthropic failed mid-answer: \(words)")
            default: break  // ping, content_block_stop
            }
            return ""
        }

        func response() throws(LLMError) -> LLMResponse {
            var text = ""
            var calls: [LLMToolCall] = []
            for index in blocks.keys.sorted() {
                let b = blocks[index]!
                switch b.kind {
                case "text": text += b.text
                case "tool_use": calls.append(LLMToolCall(id: b.id, name: b.name, arguments: try JSONValue.arguments(b.json, tool: b.name, "anthropic")))
                default: break
                }
            }
            return try AnthropicMessagesFormat().finish(text: text, calls: calls, usage: usage, model: model, stop: stopReason, request)
        }
    }
}
