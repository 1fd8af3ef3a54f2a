import Foundation
import RPC
import Strategies

/// How one provider's API spells a request and its answers. `LLMClient` does the HTTP, the
/// deadline, the retries and the streaming; a wire format only translates.
public protocol LLMWireFormat: Sendable {
    /// The provider's name in configuration and metrics (`openai`, `anthropic`, `gemini`).
    var provider: String { get }
    /// The path and query of a call to `model`.
    func endpoint(model: String, streaming: Bool) -> (path: String, query: [(String, String)])
    /// The headers that carry `apiKey` (and the API version, where the provider asks for one).
    func headers(apiKey: String?) -> [(String, String)]
    /// The request body.
    func body(_ request: LLMRequest, model: String, streaming: Bool) -> JSONValue
    /// A whole (not streamed) answer.
    func response(_ body: JSONValue, to request: LLMRequest) throws(LLMError) -> LLMResponse
    /// A fresh reader of one streamed answer.
    func streamReader(for request: LLMRequest) -> any LLMStreamReader
    /// The provider's own words in an error body (`error.message`, with its type or status).
    func errorWords(_ body: JSONValue) -> String?
}

/// Builds one answer from a provider's server-sent events.
public protocol LLMStreamReader: Sendable {
    /// Takes one event; answers the text it adds (for the caller's live view). Throws on an error
    /// event.
    mutating func take(_ event: ServerSentEventReader.Event) throws(LLMError) -> String
    /// Whether the provider has said the answer is whole (`[DONE]`, `message_stop`, a finish reason).
    var finished: Bool { get }
    /// The whole answer, once `finished`.
    func response() throws(LLMError) -> LLMResponse
}

extension LLMRequest {
    /// Parses the answer's text as the requested JSON (tolerating a Markdown code fence around
    /// it, as some OpenAI-compatible local servers add); nil when no schema was asked for.
    func structured(from text: String, provider: String) throws(LLMError) -> JSONValue? {
        guard responseSchema != nil else { return nil }
        var body = Substring(text).trimmingCharacters(in: .whitespacesAndNewlines)[...]
        if body.hasPrefix("```") {
            body = body.drop(while: { $0 != "\n" }).dropFirst()
            if let end = body.range(of: "```", options: .backwards) { body = body[..<end.lowerBound] }
        }
        do { return try JSONValue(parsing: String(body)) } catch {
            throw LLMError(.malformedResponse, "\(provider) answered text that is not the requested JSON (\(error.message)): \(text.prefix(200))")
        }
    }
}

extension JSONValue {
    /// Reads a provider's JSON answer.
    static func provider(_ text: some StringProtocol, _ provider: String) throws(LLMError) -> JSONValue {
        do { return try JSONValue(parsing: String(text)) } catch {
            throw LLMError(.malformedResponse, "\(provider) sent something that is not JSON (\(error.message)): \(text.prefix(200))")
        }
    }

    /// Tool-call arguments given as JSON text (OpenAI's `arguments`, Anthropic's streamed
    /// `partial_json`): an empty text is no arguments.
    static func arguments(_ text: String, tool: String, _ provider: String) throws(LLMError) -> JSONValue {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return .object([:]) }
        do { return try JSONValue(parsing: text) } catch {
            throw LLMError(.malformedResponse, "\(provider) called \(tool) with arguments that are not JSON: \(text.prefix(200))")
        }
    }
}
