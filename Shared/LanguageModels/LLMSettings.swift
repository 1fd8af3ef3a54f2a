import Foundation
import Logging
import RPC
import ServiceKit
import TradingCore

/// The AI layer's configuration (`ai.*`), read and checked at start-up. With `ai.provider` unset
/// (the default) no model is called: agents that need one abstain and the assistant answers
/// offline.
public struct LLMSettings: Sendable {
    /// The provider plugins by name, with where they live by default and which variable holds
    /// their key.
    public static let providers: [String: (format: @Sendable ([String: String]) -> any LLMWireFormat, baseURL: String, keyVariable: String)] = [
        "openai": ({ OpenAIChatFormat(maxTokensField: $0["max_tokens_field"] ?? "max_completion_tokens") }, "https://api.openai.com/v1", "OPENAI_API_KEY"),
        "anthropic": ({ _ in AnthropicMessagesFormat() }, "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY"),
        "gemini": ({ _ in GeminiFormat() }, "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY"),
    ]

    /// Every key read here.
    public static let keys: Set<String> = [
        "ai.provider", "ai.model", "ai.base_url", "ai.api_key_env", "ai.api_key_file", "ai.deadline_ms", "ai.max_attempts", "ai.max_in_flight",
        "ai.max_tokens_field", "ai.thinking_budget", "ai.prices", "ai.limit.call_tokens", "ai.limit.bot_daily_usd", "ai.limit.user_daily_usd",
        "ai.limit.platform_daily_usd", "ai.backtest_max_calls",
    ]

    /// The provider's name; nil when none is configured.
    public var provider: String?
    public var endpoint: LLMEndpoint?
    public var limits: LLMLimits
    public var prices: LLMPrices
    public var thinkingBudget: Int?
    /// Most model calls one backtest may make (answers already cached do not count).
    public var backtestMaxCalls = 2_000

    /// No provider, the default limits.
    public init() {
        limits = LLMLimits(callTokens: 1024, botDaily: .one, userDaily: FixedDecimal(raw: 5 * FixedDecimal.unitsPerOne), platformDaily: FixedDecimal(raw: 50 * FixedDecimal.unitsPerOne))
        prices = LLMPrices()
        thinkingBudget = 1024
    }

    /// Reads the settings; `environment` and `readFile` give the API key (from `ai.api_key_env`,
    /// default the provider's usual variable, or `ai.api_key_file`).
    public static func read(
        _ v: ConfigValues, environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigError) -> LLMSettings {
        func dollars(_ key: String, _ fallback: String) throws(ConfigError) -> FixedDecimal {
            let text = v.string(key, default: fallback)
            guard let d = try? FixedDecimal(parsing: text), !d.isNegative else { throw ConfigError(key: key, message: "= \"\(text.prefix(40))\" must be a dollar amount of 0 or more, e.g. 5 or 0.50") }
            return d
        }
        let limits = LLMLimits(
            callTokens: try v.int("ai.limit.call_tokens", default: 1024, range: 16...200_000), botDaily: try dollars("ai.limit.bot_daily_usd", "1"),
            userDaily: try dollars("ai.limit.user_daily_usd", "5"), platformDaily: try dollars("ai.limit.platform_daily_usd", "50"))
        let prices: LLMPrices
        do { prices = try LLMPrices(parsing: v.string("ai.prices", default: "")) } catch { throw ConfigError(key: "ai.prices", message: error.message) }
        let budget = try v.int("ai.thinking_budget", default: 1024, range: 0...24_576)
        var settings = LLMSettings()
        settings.limits = limits
        settings.prices = prices
        settings.thinkingBudget = budget == 0 ? nil : budget
        settings.backtestMaxCalls = try v.int("ai.backtest_max_calls", default: settings.backtestMaxCalls, range: 0...1_000_000)
        let name = try v.choice("ai.provider", default: "none", ["none"] + providers.keys.sorted())
        guard name != "none", let plugin = providers[name] else { return settings }
        let model = v.string("ai.model", default: "")
        guard model.range(of: #"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$"#, options: .regularExpression) != nil else {
            throw ConfigError(key: "ai.model", message: "= \"\(model.prefix(40))\" must name the \(name) model to call (e.g. gpt-4o-mini, claude-sonnet-4-5, gemini-2.5-flash)")
        }
        let url = try v.url("ai.base_url", default: plugin.baseURL)
        guard prices.price(model) != nil else {
            throw ConfigError(
                key: "ai.prices", message: "has no price for \(model): budgets need one (MODEL=INPUT/OUTPUT dollars per million tokens; 0/0 for a local model)")
        }
        let key = try v.secret(fileKey: "ai.api_key_file", variableKey: "ai.api_key_env", variable: plugin.keyVariable, environment: environment, readFile: readFile)
        // The provider's own service needs a key; a local OpenAI-compatible server may not.
        if key == nil, v.values["ai.api_key_file"] == nil, v.string("ai.base_url", default: plugin.baseURL) == plugin.baseURL {
            throw ConfigError(
                key: "ai.api_key_env", message: "names $\(v.string("ai.api_key_env", default: plugin.keyVariable)), which is not set: \(name) needs an API key (or give ai.api_key_file)")
        }
        let field = try v.choice("ai.max_tokens_field", default: "max_completion_tokens", ["max_completion_tokens", "max_tokens"])
        settings.provider = name
        settings.endpoint = LLMEndpoint(
            format: plugin.format(["max_tokens_field": field]), baseURL: url, model: model, apiKey: key,
            deadline: .milliseconds(try v.int("ai.deadline_ms", default: 10_000, range: 100...600_000)),
            maxAttempts: try v.int("ai.max_attempts", default: 3, range: 1...10), maxInFlight: try v.int("ai.max_in_flight", default: 4, range: 1...1024))
        return settings
    }

    /// The configured model over `ledger`; nil when no provider is configured.
    public func model(ledger: any LLMUsageLedger, logger: Logger) -> LanguageModel? {
        guard let endpoint else { return nil }
        return LanguageModel(
            client: LLMClient(endpoint, logger: logger), budget: LLMBudget(limits: limits, prices: prices, ledger: ledger), thinkingBudget: thinkingBudget,
            logger: logger)
    }
}
