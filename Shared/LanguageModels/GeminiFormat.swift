import RPC
import Strategies

/// Google's Gemini API (`models/{model}:generateContent` and `:streamGenerateContent?alt=sse`), as
/// its reference gives it (https://ai.google.dev/api/generate-content,
/// https://ai.google.dev/gemini-api/docs/function-calling, …/structured-output, …/thinking):
/// the key in `x-goog-api-key`; `systemInstruction`, `contents` of `user` and `model` turns made
/// of `parts` (`text`, `functionCall`, `functionResponse`); `tools[].functionDeclarations`;
/// `generationConfig` with `maxOutputTokens`, `responseMimeType: application/json` and
/// `responseSchema` for structured output, `thinkingConfig.thinkingBudget`; `usageMetadata`
/// (`promptTokenCount`, `candidatesTokenCount`, `thoughtsTokenCount`, thinking billed as output).
/// A streamed answer is a series of `data:` events each holding a partial response; the last
/// carries the finish reason.
public struct GeminiFormat: LLMWireFormat {
    public let provider = "gemini"

    public init() {}

    public func endpoint(model: String, streaming: Bool) -> (path: String, query: [(String, String)]) {
        streaming ? ("/models/\(model):streamGenerateContent", [("alt", "sse")]) : ("/models/\(model):generateContent", [])
    }

    public func headers(apiKey: String?) -> [(String, String)] { apiKey.map { [("x-goog-api-key", $0)] } ?? [] }

    public func body(_ request: LLMRequest, model: String, streaming: Bool) -> JSONValue {
        let contents: [JSONValue] = request.messages.map { message in
            .object([
                "role": .string(message.role == .user ? "user" : "model"),
                "parts": .array(message.content.map { part in
                    switch part {
                    case .text(let t): .object(["text": .string(t)])
                    case .toolCall(let c): .object(["functionCall": .object(["name": .string(c.name), "args": c.arguments])])
                    case .toolResult(_, let name, let content, let isError):
                        .object(["functionResponse": .object(["name": .string(name), "response": .object([isError ? "error" : "content": .string(content)])])])
                    }
                }),
            ])
        }
        var body: [String: JSONValue] = ["contents": .array(contents)]
        if !request.system.isEmpty { body["systemInstruction"] = .object(["parts": .array([.object(["text": .string(request.system)])])]) }
        if !request.tools.isEmpty {
            body["tools"] = .array([
                .object(["functionDeclarations": .array(request.tools.map { .object(["name": .string($0.name), "description": .string($0.description), "parameters": Self.openAPISubset($0.parameters)]) })])
            ])
        }
        var config: [String: JSONValue] = ["maxOutputTokens": .number(Double(request.maxOutputTokens))]
        if let t = request.temperature { config["temperature"] = .number(t) }
        if let schema = request.responseSchema {
            config["responseMimeType"] = .string("application/json")
            config["responseSchema"] = Self.openAPISubset(schema)
        }
        if let budget = request.thinkingBudget { config["thinkingConfig"] = .object(["thinkingBudget": .number(Double(budget))]) }
        body["generationConfig"] = .object(config)
        return .object(body)
    }

    /// A JSON Schema as Gemini's `Schema` (an OpenAPI 3.0 subset) takes it: without
    /// `additionalProperties` and `$schema`, which it refuses.
    static func openAPISubset(_ schema: JSONValue, inProperties: Bool = false) -> JSONValue {
        switch schema {
        case .object(let o):
            var out: [String: JSONValue] = [:]
            // Inside `properties` the keys are property names, whatever they are called.
            for (k, v) in o where inProperties || (k != "additionalProperties" && k != "$schema") {
                out[k] = openAPISubset(v, inProperties: !inProperties && k == "properties")
            }
            return .object(out)
        case .array(let a): return .array(a.map { openAPISubset($0) })
        default: return schema
        }
    }

    public func response(_ body: JSONValue, to request: LLMRequest) throws(LLMError) -> LLMResponse {
        var reader = Reader(request: request)
        try reader.absorb(body)
        guard reader.finished || reader.sawCandidate else {
            if let reason = body["promptFeedback"]?["blockReason"]?.string { throw LLMError(.invalidRequest, "gemini blocked the prompt: \(reason)") }
            throw LLMError(.malformedResponse, "gemini answered without candidates: \(body.jsonText.prefix(200))")
        }
        return try reader.response()
    }

    static func usage(_ u: JSONValue?) -> LLMUsage {
        let thoughts = u?["thoughtsTokenCount"]?.integer ?? 0
        return LLMUsage(
            inputTokens: u?["promptTokenCount"]?.integer ?? 0, outputTokens: (u?["candidatesTokenCount"]?.integer ?? 0) + thoughts, thinkingTokens: thoughts)
    }

    public func streamReader(for request: LLMRequest) -> any LLMStreamReader { Reader(request: request) }

    public func errorWords(_ body: JSONValue) -> String? {
        let error = body.array?.first?["error"] ?? body["error"]
        guard let message = error?["message"]?.string else { return nil }
        return error?["status"]?.string.map { "\($0): \(message)" } ?? message
    }

    struct Reader: LLMStreamReader {
        let request: LLMRequest
        var text = ""
        var calls: [LLMToolCall] = []
        var usage = LLMUsage()
        var model = ""
        var stopReason = ""
        var finished = false
        var sawCandidate = false

        mutating func take(_ event: ServerSentEventReader.Event) throws(LLMError) -> String {
            let chunk = try JSONValue.provider(event.data, "gemini")
            if let words = GeminiFormat().errorWords(chunk) { throw LLMError(.providerError, "gemini failed mid-answer: \(words)") }
            let before = text.count
            try absorb(chunk)
            return String(text.dropFirst(before))
        }

        /// Adds one (partial) response's parts, usage and finish reason.
        mutating func absorb(_ chunk: JSONValue) throws(LLMError) {
            if let m = chunk["modelVersion"]?.string { model = m }
            if let u = chunk["usageMetadata"] { usage = GeminiFormat.usage(u) }
            guard let candidate = chunk["candidates"]?.array?.first else { return }
            sawCandidate = true
            for part in candidate["content"]?["parts"]?.array ?? [] where part["thought"]?.bool != true {
                if let t = part["text"]?.string { text += t }
                if let call = part["functionCall"] {
                    guard let name = call["name"]?.string else { throw LLMError(.malformedResponse, "gemini sent a functionCall without a name") }
                    calls.append(LLMToolCall(id: call["id"]?.string ?? name, name: name, arguments: call["args"] ?? .object([:])))
                }
            }
            if let reason = candidate["finishReason"]?.string {
                stopReason = reason
                finished = true
            }
        }

        func response() throws(LLMError) -> LLMResponse {
            if ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT"].contains(stopReason), text.isEmpty, calls.isEmpty {
                throw LLMError(.malformedResponse, "gemini withheld the answer (finishReason \(stopReason))")
            }
            return LLMResponse(
                text: text, toolCalls: calls, structured: calls.isEmpty ? try request.structured(from: text, provider: "gemini") : nil, usage: usage,
                model: model, stopReason: stopReason)
        }
    }
}
