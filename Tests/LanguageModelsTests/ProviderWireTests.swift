import Foundation
import LanguageModels
import Logging
import RPC
import ServiceKitTesting
import Strategies
import Synchronization
import Testing

/// Each provider adapter against a local server that answers in that provider's documented wire
/// format: what is sent (path, headers, body) and how plain, tool-calling, structured and
/// streamed answers are read.
@Suite struct ProviderWireTests {
    typealias Server = ScriptedHTTPServer

    static func body(_ request: Server.Request) throws -> JSONValue { try JSONValue(parsing: request.body) }

    @Test func openAIPlainAnswerAndRequestShape() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            let answer = try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(Fixture.question)
            #expect(answer.text == "Hello! How can I assist you today?")
            #expect(answer.usage == LLMUsage(inputTokens: 19, outputTokens: 10))
            #expect(answer.model == "gpt-4.1-2025-04-14")
            #expect(answer.stopReason == "stop")
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer \(Fixture.key)")
            #expect(request.headers["content-type"] == "application/json")
            let sent = try Self.body(request)
            #expect(sent["model"]?.string == "test-model")
            #expect(sent["max_completion_tokens"]?.integer == 64)
            #expect(sent["stream"] == nil)
            #expect(sent["messages"]?.array?.map { $0["role"]?.string ?? "" } == ["system", "user"])
            #expect(sent["messages"]?.array?.last?["content"]?.string == "Say hello.")
        }
    }

    @Test func openAIToolCallsAndToolResults() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIToolCall) }) { port, server in
            var request = Fixture.question
            request.tools = [Fixture.weatherTool]
            request.messages += [
                LLMMessage(.assistant, [.toolCall(LLMToolCall(id: "call_0", name: "get_weather", arguments: .object(["location": .string("Paris")])))]),
                LLMMessage(.user, [.toolResult(id: "call_0", name: "get_weather", content: "18 °C", isError: false)]),
            ]
            let answer = try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(request)
            #expect(answer.toolCalls == [LLMToolCall(id: "call_abc123", name: "get_weather", arguments: .object(["location": .string("Boston, MA")]))])
            #expect(answer.stopReason == "tool_calls")
            let sent = try Self.body(try #require(server.requests.first))
            #expect(sent["tools"]?.array?.first?["type"]?.string == "function")
            #expect(sent["tools"]?.array?.first?["function"]?["name"]?.string == "get_weather")
            let messages = sent["messages"]?.array ?? []
            #expect(messages.map { $0["role"]?.string ?? "" } == ["system", "user", "assistant", "tool"])
            #expect(messages[2]["tool_calls"]?.array?.first?["function"]?["arguments"]?.string == #"{"location":"Paris"}"#)
            #expect(messages[3]["tool_call_id"]?.string == "call_0")
        }
    }

    @Test func openAIStructuredOutput() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIVote) }) { port, server in
            var request = Fixture.question
            request.responseSchema = Fixture.voteSchema
            request.schemaName = "vote"
            let answer = try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(request)
            #expect(answer.structured?["action"]?.string == "buy")
            #expect(answer.structured?["confidence"]?.number == 0.7)
            let format = try Self.body(try #require(server.requests.first))["response_format"]
            #expect(format?["type"]?.string == "json_schema")
            #expect(format?["json_schema"]?["name"]?.string == "vote")
            #expect(format?["json_schema"]?["strict"]?.bool == true)
            #expect(format?["json_schema"]?["schema"] == Fixture.voteSchema)
        }
    }

    @Test func openAIStreamSplitAcrossWrites() async throws {
        try await Server.with({ _, _ in Server.eventStream(Fixture.openAIStream) }) { port, server in
            let pieces = Mutex<[String]>([])
            var request = Fixture.question
            request.tools = [Fixture.weatherTool]
            let answer = try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(request) { text in pieces.withLock { $0.append(text) } }
            #expect(answer.text == "Hello, wörld")
            #expect(pieces.withLock { $0 } == ["Hel", "lo, wörld"])
            #expect(answer.toolCalls == [LLMToolCall(id: "call_9", name: "get_weather", arguments: .object(["location": .string("Oslo")]))])
            #expect(answer.usage == LLMUsage(inputTokens: 9, outputTokens: 12))
            #expect(answer.stopReason == "tool_calls")
            let sent = try Self.body(try #require(server.requests.first))
            #expect(sent["stream"]?.bool == true)
            #expect(sent["stream_options"]?["include_usage"]?.bool == true)
        }
    }

    @Test func openAICompatibleServerWithoutKeyUsesMaxTokens() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIHello) }) { port, server in
            let client = LLMClient(
                LLMEndpoint(format: OpenAIChatFormat(maxTokensField: "max_tokens"), baseURL: URL(string: "http://127.0.0.1:\(port)/v1")!, model: "llama3.2", apiKey: nil),
                logger: .init(label: "test"))
            _ = try await client.complete(Fixture.question)
            let request = try #require(server.requests.first)
            #expect(request.headers["authorization"] == nil)
            #expect(try Self.body(request)["max_tokens"]?.integer == 64)
        }
    }

    @Test func anthropicPlainToolUseAndHeaders() async throws {
        try await Server.with({ _, i in Server.json(i == 0 ? Fixture.anthropicHello : Fixture.anthropicToolUse) }) { port, server in
            let client = Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1")
            let hello = try await client.complete(Fixture.question)
            #expect(hello.text == "Hi! My name is Claude.")
            #expect(hello.usage == LLMUsage(inputTokens: 2095, outputTokens: 503))
            #expect(hello.stopReason == "end_turn")
            var request = Fixture.question
            request.tools = [Fixture.weatherTool]
            request.messages.append(LLMMessage(.user, [.toolResult(id: "toolu_0", name: "get_weather", content: "sunny", isError: true)]))
            let tool = try await client.complete(request)
            #expect(tool.text == "I'll check the weather.")
            #expect(tool.toolCalls == [LLMToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: .object(["location": .string("San Francisco, CA")]))])
            let first = try #require(server.requests.first)
            #expect(first.target == "/v1/messages")
            #expect(first.headers["x-api-key"] == Fixture.key)
            #expect(first.headers["anthropic-version"] == "2023-06-01")
            #expect(first.headers["authorization"] == nil)
            let sent = try Self.body(first)
            #expect(sent["system"]?.string == "You are terse.")
            #expect(sent["max_tokens"]?.integer == 64)
            #expect(sent["messages"]?.array?.first?["content"]?.array?.first?["type"]?.string == "text")
            let second = try Self.body(server.requests[1])
            #expect(second["tools"]?.array?.first?["input_schema"] == Fixture.weatherTool.parameters)
            let result = second["messages"]?.array?.last?["content"]?.array?.first
            #expect(result?["type"]?.string == "tool_result")
            #expect(result?["tool_use_id"]?.string == "toolu_0")
            #expect(result?["is_error"]?.bool == true)
        }
    }

    @Test func anthropicStructuredOutputIsAForcedTool() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.anthropicVote) }) { port, server in
            var request = Fixture.question
            request.responseSchema = Fixture.voteSchema
            request.schemaName = "vote"
            let answer = try await Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1").complete(request)
            #expect(answer.structured == .object(["action": .string("sell"), "confidence": .number(0.55), "reasoning": .string("lower lows")]))
            #expect(answer.toolCalls.isEmpty)
            let sent = try Self.body(try #require(server.requests.first))
            #expect(sent["tool_choice"] == .object(["type": .string("tool"), "name": .string("vote")]))
            #expect(sent["tools"]?.array?.last?["input_schema"] == Fixture.voteSchema)
        }
    }

    @Test func anthropicStreamEvents() async throws {
        try await Server.with({ _, _ in Server.eventStream(Fixture.anthropicStream) }) { port, _ in
            let pieces = Mutex<[String]>([])
            let answer = try await Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1").complete(Fixture.question) { t in pieces.withLock { $0.append(t) } }
            #expect(answer.text == "Hello!")
            #expect(pieces.withLock { $0 } == ["Hello", "!"])
            #expect(answer.toolCalls == [LLMToolCall(id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: .object(["location": .string("San Francisco, CA")]))])
            #expect(answer.usage == LLMUsage(inputTokens: 25, outputTokens: 89))
            #expect(answer.stopReason == "tool_use")
        }
    }

    @Test func anthropicErrorEventMidStream() async throws {
        try await Server.with({ _, _ in Server.eventStream(Fixture.anthropicOverloadedEvent) }) { port, server in
            let client = Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1", attempts: 2)
            let error = await #expect(throws: LLMError.self) { try await client.complete(Fixture.question) { _ in } }
            #expect(error?.code == .providerError)
            #expect(error?.message.contains("overloaded_error: Overloaded") == true)
            #expect(server.requests.count == 2)  // nothing had been handed over: retried once
        }
    }

    @Test func geminiPathsSchemaThinkingAndUsage() async throws {
        try await Server.with({ _, i in Server.json(i == 0 ? Fixture.geminiVote : Fixture.geminiFunctionCall) }) { port, server in
            let client = Fixture.client(GeminiFormat(), port: port, prefix: "/v1beta")
            var request = Fixture.question
            request.responseSchema = Fixture.voteSchema
            request.thinkingBudget = 1024
            let vote = try await client.complete(request)
            #expect(vote.structured?["action"]?.string == "hold")
            #expect(vote.usage == LLMUsage(inputTokens: 200, outputTokens: 1046, thinkingTokens: 1024))
            let first = try #require(server.requests.first)
            #expect(first.target == "/v1beta/models/test-model:generateContent")
            #expect(first.headers["x-goog-api-key"] == Fixture.key)
            let sent = try Self.body(first)
            #expect(sent["systemInstruction"]?["parts"]?.array?.first?["text"]?.string == "You are terse.")
            #expect(sent["contents"]?.array?.first?["role"]?.string == "user")
            let config = sent["generationConfig"]
            #expect(config?["maxOutputTokens"]?.integer == 64)
            #expect(config?["responseMimeType"]?.string == "application/json")
            #expect(config?["responseSchema"]?["additionalProperties"] == nil)
            #expect(config?["responseSchema"]?["required"] == Fixture.voteSchema["required"])
            #expect(config?["thinkingConfig"]?["thinkingBudget"]?.integer == 1024)

            var toolRequest = Fixture.question
            toolRequest.tools = [Fixture.weatherTool]
            let call = try await client.complete(toolRequest)
            #expect(call.toolCalls == [LLMToolCall(id: "get_weather", name: "get_weather", arguments: .object(["location": .string("Lisbon")]))])
            let declared = try Self.body(server.requests[1])["tools"]?.array?.first?["functionDeclarations"]?.array?.first
            #expect(declared?["name"]?.string == "get_weather")
        }
    }

    @Test func geminiStreamOverSSE() async throws {
        try await Server.with({ _, _ in Server.eventStream(Fixture.geminiStream) }) { port, server in
            let pieces = Mutex<[String]>([])
            let answer = try await Fixture.client(GeminiFormat(), port: port, prefix: "/v1beta").complete(Fixture.question) { t in pieces.withLock { $0.append(t) } }
            #expect(answer.text == "The quick brown fox jumps.")
            #expect(pieces.withLock { $0 } == ["The quick", " brown fox", " jumps."])
            #expect(answer.usage == LLMUsage(inputTokens: 7, outputTokens: 6))
            #expect(server.requests.first?.target == "/v1beta/models/test-model:streamGenerateContent?alt=sse")
        }
    }
}
