import Foundation
import LanguageModels
import Logging
import ServiceKitTesting
import Strategies
import Synchronization

/// Answers in each provider's documented wire format (bodies shaped as the providers' API
/// references show them), and the helpers the provider tests share.
enum Fixture {
    static let key = "sk-test-7f3a9c1e5b2d4f6a8c0e"

    static func client(
        _ format: any LLMWireFormat, port: Int, prefix: String, deadline: Duration = .seconds(5), attempts: Int = 3, inFlight: Int = 4,
        logger: Logger = Logger(label: "test")
    ) -> LLMClient {
        LLMClient(
            LLMEndpoint(
                format: format, baseURL: URL(string: "http://127.0.0.1:\(port)\(prefix)")!, model: "test-model", apiKey: key, deadline: deadline,
                maxAttempts: attempts, maxInFlight: inFlight, backoffBase: .milliseconds(20), backoffCap: .milliseconds(80)),
            logger: logger)
    }

    static let question = LLMRequest(system: "You are terse.", messages: [.user("Say hello.")], maxOutputTokens: 64, purpose: "test")

    /// A vote schema, as the LLM agent asks for one (strict: every property required, no others).
    static let voteSchema = try! JSONValue(
        parsing: #"{"type":"object","properties":{"action":{"type":"string","enum":["buy","sell","hold"]},"confidence":{"type":"number"},"reasoning":{"type":"string"}},"required":["action","confidence","reasoning"],"additionalProperties":false}"#
    )

    static let weatherTool = LLMTool(
        name: "get_weather", description: "Current weather in a city",
        parameters: try! JSONValue(parsing: #"{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"#))

    // MARK: OpenAI Chat Completions

    static let openAIHello = #"""
        {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I assist you today?","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}
        """#

    static let openAIToolCall = #"""
        {"id":"chatcmpl-abc123","object":"chat.completion","created":1699896916,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"get_weather","arguments":"{\n\"location\": \"Boston, MA\"\n}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}}
        """#

    static let openAIVote = #"""
        {"id":"chatcmpl-v1","object":"chat.completion","created":1699896916,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"{\"action\":\"buy\",\"confidence\":0.7,\"reasoning\":\"higher highs\"}","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":20,"total_tokens":140,"completion_tokens_details":{"reasoning_tokens":0}}}
        """#

    /// A streamed answer with a tool call assembled from pieces and the usage chunk, cut into
    /// writes that split lines and events.
    static let openAIStream: [String] = {
        let events = [
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"lo, wörld"},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_9","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"locat"}}]},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ion\":\"Oslo\"}"}}]},"logprobs":null,"finish_reason":null}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}"#,
            #"data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":12,"total_tokens":21}}"#,
            "data: [DONE]",
        ]
        return split(events.map { $0 + "\n\n" }.joined())
    }()

    static let openAIBadKey = #"""
        {"error":{"message":"Incorrect API key provided: sk-test****8c0e. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}
        """#

    static let openAIRateLimited = #"""
        {"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}}
        """#

    // MARK: Anthropic Messages

    static let anthropicHello = #"""
        {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503}}
        """#

    static let anthropicToolUse = #"""
        {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_reason":"tool_use","stop_sequence":null,"content":[{"type":"text","text":"I'll check the weather."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA"}}],"usage":{"input_tokens":384,"output_tokens":72}}
        """#

    static let anthropicVote = #"""
        {"id":"msg_vote","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_reason":"tool_use","stop_sequence":null,"content":[{"type":"tool_use","id":"toolu_vote","name":"vote","input":{"action":"sell","confidence":0.55,"reasoning":"lower lows"}}],"usage":{"input_tokens":300,"output_tokens":40}}
        """#

    static let anthropicStream: [String] = split(
        [
            ("message_start", #"{"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("ping", #"{"type": "ping"}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\"}"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ].map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined())

    static let anthropicOverloadedEvent = [
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_x\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
        "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
    ]

    static let anthropicBadKey = #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#

    static let anthropicOverloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fz"}"#

    // MARK: Gemini

    static let geminiHello = #"""
        {"candidates":[{"content":{"parts":[{"text":"Hello there."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":3,"totalTokenCount":16,"thoughtsTokenCount":5},"modelVersion":"gemini-2.5-flash","responseId":"mAitaPHXBeWPqtsPqKzWgAc"}
        """#

    static let geminiFunctionCall = #"""
        {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"location":"Lisbon"}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":40,"candidatesTokenCount":9,"totalTokenCount":49},"modelVersion":"gemini-2.5-flash"}
        """#

    static let geminiVote = #"""
        {"candidates":[{"content":{"parts":[{"text":"{\"action\": \"hold\", \"confidence\": 0.4, \"reasoning\": \"range-bound\"}"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":200,"candidatesTokenCount":22,"totalTokenCount":1246,"thoughtsTokenCount":1024},"modelVersion":"gemini-2.5-flash"}
        """#

    static let geminiStream: [String] = split(
        [
            #"{"candidates":[{"content":{"parts":[{"text":"The quick"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"}"#,
            #"{"candidates":[{"content":{"parts":[{"text":" brown fox"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"}"#,
            #"{"candidates":[{"content":{"parts":[{"text":" jumps."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":6,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash"}"#,
        ].map { "data: \($0)\r\n\r\n" }.joined())

    static let geminiQuota = #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#

    /// `text` cut into writes of 7 to 61 characters, so that lines and events straddle writes.
    static func split(_ text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        var size = 7
        while !rest.isEmpty {
            out.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
            size = size * 3 % 61 + 7
        }
        return out
    }
}

