import Foundation
import LanguageModels
import RPC
import ServiceKitTesting
import Strategies
import Synchronization
import Testing

/// What goes wrong with providers: error bodies mapped to stable codes with the provider's words,
/// 429 with `Retry-After`, 5xx retried then given up, connections dropped mid-stream, deadlines,
/// the in-flight limit, and an outage logged once; the API key never in a log or an error.
@Suite struct ProviderFailureTests {
    typealias Server = ScriptedHTTPServer

    @Test func unauthorizedCarriesTheProviderWordsAndIsNotRetried() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIBadKey, status: 401) }) { port, server in
            let error = await #expect(throws: LLMError.self) { try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(Fixture.question) }
            #expect(error?.code == .unauthorized)
            #expect(error?.message.contains("invalid_api_key: Incorrect API key provided") == true)
            #expect(error?.message.contains(Fixture.key) == false)
            #expect(server.requests.count == 1)
        }
        try await Server.with({ _, _ in Server.json(Fixture.anthropicBadKey, status: 401) }) { port, _ in
            let error = await #expect(throws: LLMError.self) { try await Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1").complete(Fixture.question) }
            #expect(error?.message.contains("authentication_error: invalid x-api-key") == true)
        }
    }

    @Test func badRequestIsInvalidRequest() async throws {
        let body = #"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#
        try await Server.with({ _, _ in Server.json(body, status: 404) }) { port, server in
            let error = await #expect(throws: LLMError.self) { try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(Fixture.question) }
            #expect(error?.code == .invalidRequest)
            #expect(error?.message.contains("model_not_found") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func rateLimitedIsRetriedAfterRetryAfter() async throws {
        try await Server.with({ _, i in
            i == 0 ? Server.json(Fixture.geminiQuota, status: 429, headers: ["Retry-After: 1"]) : Server.json(Fixture.geminiHello)
        }) { port, server in
            let answer = try await Fixture.client(GeminiFormat(), port: port, prefix: "/v1beta").complete(Fixture.question)
            #expect(answer.text == "Hello there.")
            #expect(server.requests.count == 2)
        }
    }

    @Test func retryAfterBeyondTheDeadlineFailsAtOnce() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.openAIRateLimited, status: 429, headers: ["Retry-After: 30"]) }) { port, server in
            let client = Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1", deadline: .seconds(2))
            let error = await #expect(throws: LLMError.self) { try await client.complete(Fixture.question) }
            #expect(error?.code == .rateLimited)
            #expect(error?.message.contains("rate_limit_exceeded") == true)
            #expect(error?.message.contains("it asked to wait 30") == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func serverErrorsAreRetriedThenGivenUp() async throws {
        try await Server.with({ _, _ in Server.json(Fixture.anthropicOverloaded, status: 529) }) { port, server in
            let error = await #expect(throws: LLMError.self) {
                try await Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1", attempts: 3).complete(Fixture.question)
            }
            #expect(error?.code == .providerError)
            #expect(error?.message.contains("HTTP 529: overloaded_error: Overloaded") == true)
            #expect(server.requests.count == 3)
        }
    }

    @Test func droppedMidStreamIsNotRetriedOnceTextWasHandedOver() async throws {
        // Cut after the first words and before the end.
        let whole = Fixture.openAIStream.joined()
        let cut = whole.range(of: "\"tool_calls\"")!.lowerBound
        let half = Fixture.split(String(whole[..<cut]))
        try await Server.with({ _, _ in Server.eventStream(half, drop: true) }) { port, server in
            let pieces = Mutex<[String]>([])
            let error = await #expect(throws: LLMError.self) {
                try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(Fixture.question) { t in pieces.withLock { $0.append(t) } }
            }
            #expect(error?.code == .connectionLost)
            #expect(!pieces.withLock { $0 }.isEmpty)
            #expect(server.requests.count == 1)
        }
    }

    @Test func droppedBeforeAnyTextIsRetried() async throws {
        try await Server.with({ _, i in i == 0 ? [.drop] : Server.json(Fixture.anthropicHello) }) { port, server in
            let answer = try await Fixture.client(AnthropicMessagesFormat(), port: port, prefix: "/v1").complete(Fixture.question)
            #expect(answer.text == "Hi! My name is Claude.")
            #expect(server.requests.count == 2)
        }
    }

    @Test func streamEndingWithoutItsTerminatorIsLost() async throws {
        // Ended properly at the HTTP level, but without `[DONE]`: the answer may be cut short.
        let withoutDone = Fixture.split(Fixture.openAIStream.joined().replacingOccurrences(of: "data: [DONE]\n\n", with: ""))
        try await Server.with({ _, _ in Server.eventStream(withoutDone) }) { port, _ in
            let error = await #expect(throws: LLMError.self) {
                try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1", attempts: 1).complete(Fixture.question) { _ in }
            }
            #expect(error?.code == .connectionLost)
        }
    }

    @Test func deadlineEndsASilentProvider() async throws {
        try await Server.with({ _, _ in [.pause(.seconds(5))] + Server.json(Fixture.openAIHello) }) { port, _ in
            let error = await #expect(throws: LLMError.self) {
                try await Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1").complete(Fixture.question, deadline: .milliseconds(400))
            }
            #expect(error?.code == .timeout)
        }
    }

    @Test func callsBeyondTheInFlightLimitWaitWithinTheirDeadline() async throws {
        try await Server.with({ _, _ in [.pause(.milliseconds(1500))] + Server.json(Fixture.openAIHello) }) { port, server in
            let client = Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1", inFlight: 1)
            async let slow = client.complete(Fixture.question, deadline: .seconds(5))
            try await Task.sleep(for: .milliseconds(200))
            let error = await #expect(throws: LLMError.self) { try await client.complete(Fixture.question, deadline: .milliseconds(300)) }
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("1 calls were already in flight") == true)
            #expect(try await slow.text == "Hello! How can I assist you today?")
            #expect(server.requests.count == 1)
        }
    }

    @Test func anOutageIsLoggedOnceAndTheKeyNever() async throws {
        let logs = LogRecorder()
        // A port nothing listens on: every call fails to connect.
        let closed = try await Server.closedPort()
        let client = Fixture.client(OpenAIChatFormat(), port: closed, prefix: "/v1", attempts: 2, logger: logs.logger)
        for _ in 0..<5 {
            let error = await #expect(throws: LLMError.self) { try await client.complete(Fixture.question) }
            #expect(error?.code == .connectionLost)
            #expect(error?.description.contains(Fixture.key) == false)
        }
        #expect(logs.all.filter { $0.contains("LLM provider unavailable") }.count == 1)
        // Back up (same client, a server now answering on a new port is a new client: use one
        // that recovers on its second request instead).
        try await Server.with({ _, i in i == 0 ? Server.json(Fixture.openAIBadKey, status: 503) : Server.json(Fixture.openAIHello) }) { port, _ in
            let recovering = Fixture.client(OpenAIChatFormat(), port: port, prefix: "/v1", attempts: 1, logger: logs.logger)
            _ = try? await recovering.complete(Fixture.question)
            _ = try await recovering.complete(Fixture.question)
        }
        #expect(logs.all.filter { $0.contains("LLM provider unavailable") }.count == 2)
        #expect(logs.all.filter { $0.contains("LLM provider answering again") }.count == 1)
        #expect(!logs.all.contains { $0.contains(Fixture.key) })
    }
}

extension ScriptedHTTPServer {
    /// A loopback port nothing listens on any more: a server is started there and stopped.
    static func closedPort() async throws -> Int {
        let port = Mutex(0)
        try await with({ _, _ in [] }) { p, _ in port.withLock { $0 = p } }
        return port.withLock { $0 }
    }
}
