import Contract
import Foundation
import Indicators
import LanguageModels
import RPC
import Strategies
import Wire

/// The assistant with a language model configured: the model writes strategies in the strategy
/// language with tools — the indicator catalogue, the templates, the validator, the explainer and
/// a backtest — and whatever it proposes has passed the same validator bots use (the proposal is
/// the last document `validate_strategy` accepted). It may propose a bot (`create_bot`) when the
/// user may create bots; the proposal waits for the user's yes (`BotProposal`) and the model
/// never creates one itself. A spent budget or a failing provider is said plainly and the offline
/// reader answers instead.
struct LLMStrategyAssistant: Sendable {
    let model: LanguageModel
    /// Runs a backtest of a document on a symbol and timeframe, answering a summary of its metrics.
    let backtest: @Sendable (_ document: String, _ symbol: String, _ timeframe: String) async throws -> String
    /// Checks and keeps a proposed bot (document, symbol, timeframe, name), answering what the user
    /// is asked to confirm; nil when the user may not create bots.
    var proposeBot: (@Sendable (_ document: String, _ symbol: String, _ timeframe: String, _ name: String) async throws -> String)?

    /// Rounds of tool calls before the assistant must answer.
    static let maxRounds = 6

    static let system = """
        You are Tradewind's strategy assistant. You help people who cannot program turn trading ideas \
        into strategies written in Tradewind's strategy language: a JSON document {"version": 1, "name", \
        "parameters"?, "signals"?, "rules": {"entry_long"|"exit_long"|"entry_short"|"exit_short": [conditions]}, \
        "exits"?: {"stop_loss"|"take_profit"|"trailing_stop": {"percent": x} or {"atr": m, "period": n}}, \
        "sizing"?: {"model": "percent_equity", "percent": 10}}. A condition is {"left": a, "op": ">"|"<"|"crosses_above"|…, \
        "right": b}; a value is a number, "close" (or open, high, low, volume), a signal's name, or an indicator \
        {"indicator": "rsi", "period": 14} (list_indicators gives them all, with outputs such as {"indicator": "macd", "output": "signal"}). \
        Always check a document with validate_strategy before proposing it and fix what it reports; explain it in plain \
        words; offer a backtest when the user names a market. Never claim results you did not get from run_backtest. \
        When the user wants to run a strategy, create_bot proposes a paper bot: it is created only when the user \
        answers yes to your next message, so say what will be created and ask them to answer yes. \
        Keep answers short and concrete.
        """

    static let tools: [LLMTool] = {
        func schema(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }
        let document = #"{"type":"object","properties":{"document":{"type":"object","description":"a strategy-language document"}},"required":["document"]}"#
        return [
            LLMTool(name: "list_indicators", description: "Every indicator the strategy language has, with its parameters and outputs.", parameters: schema(#"{"type":"object","properties":{}}"#)),
            LLMTool(name: "list_templates", description: "The template strategies, by name, with what each does.", parameters: schema(#"{"type":"object","properties":{}}"#)),
            LLMTool(name: "validate_strategy", description: "Check a strategy document: its parameters, warm-up and indicators, or the error with its JSON pointer.", parameters: schema(document)),
            LLMTool(name: "explain_strategy", description: "A strategy document, or a template by name, in plain words.", parameters: schema(#"{"type":"object","properties":{"document":{"type":"object"},"template":{"type":"string"}}}"#)),
            LLMTool(name: "show_as_pine", description: "A strategy document written as a TradingView Pine Script v6 strategy.", parameters: schema(document)),
            LLMTool(
                name: "run_backtest", description: "Backtest a strategy document on a market's stored candles: return, trades, win rate, drawdown, Sharpe.",
                parameters: schema(#"{"type":"object","properties":{"document":{"type":"object"},"symbol":{"type":"string","description":"e.g. BTC/USDT"},"timeframe":{"type":"string","enum":["1m","5m","15m","1h","4h","1d"]}},"required":["document","symbol","timeframe"]}"#)),
            LLMTool(
                name: "create_bot",
                description: "Propose a paper bot running a strategy document on a market. Nothing is created until the user answers yes to your next message.",
                parameters: schema(#"{"type":"object","properties":{"document":{"type":"object"},"symbol":{"type":"string","description":"e.g. BTC/USDT"},"timeframe":{"type":"string","enum":["1m","5m","15m","1h","4h","1d"]},"name":{"type":"string","description":"a short name for the bot"}},"required":["document","symbol","timeframe"]}"#)),
        ]
    }()

    /// The tools offered: `create_bot` only to users who may create bots.
    var tools: [LLMTool] { proposeBot == nil ? Self.tools.filter { $0.name != "create_bot" } : Self.tools }

    /// The answer, or nil when the model cannot be used now (the caller answers offline), with why.
    func answer(history: [PB.ChatMessage], message: String, user: String) async -> (answer: StrategyAssistant.Answer?, why: String?) {
        var messages: [LLMMessage] = history.map { $0.role == "user" ? .user($0.content) : .assistant($0.content) } + [.user(message)]
        var proposal: String?
        for _ in 0..<Self.maxRounds {
            let response: LLMResponse
            do {
                response = try await model.ask(
                    LLMRequest(system: Self.system, messages: messages, tools: tools, maxOutputTokens: 1500, purpose: "assistant"), user: user
                ).response
            } catch {
                let why = error.code == .budgetExhausted ? "today's AI budget is spent (\(error.message))" : "the language model is unavailable (\(error.message))"
                return (nil, why)
            }
            guard !response.toolCalls.isEmpty else {
                return (StrategyAssistant.Answer(reply: response.text, strategy: proposal.map { PB.StrategyConfig(document: $0) }, questions: []), nil)
            }
            messages.append(LLMMessage(.assistant, (response.text.isEmpty ? [] : [.text(response.text)]) + response.toolCalls.map { .toolCall($0) }))
            var results: [LLMContent] = []
            for call in response.toolCalls {
                let (text, failed, valid) = await run(call)
                if let valid { proposal = valid }
                results.append(.toolResult(id: call.id, name: call.name, content: text, isError: failed))
            }
            messages.append(LLMMessage(.user, results))
        }
        return (
            StrategyAssistant.Answer(
                reply: "I could not finish working this out; could you say it again more simply?", strategy: proposal.map { PB.StrategyConfig(document: $0) },
                questions: []), nil
        )
    }

    /// Runs one tool call: its answer, whether it failed, and the document when it validated one.
    func run(_ call: LLMToolCall) async -> (String, Bool, String?) {
        switch call.name {
        case "list_indicators":
            let lines = IndicatorCatalog.all.map { d in
                let parameters = d.parameters.map { "\($0.name)=\($0.defaultValue.plain)" }.joined(separator: ", ")
                return "\(d.name) (\(d.title))" + (parameters.isEmpty ? "" : ": \(parameters)") + (d.outputs.isEmpty ? "" : "; outputs \(d.outputs.joined(separator: ", "))")
            }
            return (lines.joined(separator: "\n"), false, nil)
        case "list_templates":
            return (StrategyTemplates.all.map { "\($0.name): \($0.summary)" }.joined(separator: "\n"), false, nil)
        case "validate_strategy":
            guard let document = call.arguments["document"], case .object = document else { return ("give the document as an object in \"document\"", true, nil) }
            do {
                let plan = try StrategyCompiler.compile(try StrategyDocument(json: document.jsonText))
                return ("valid: warm-up \(plan.warmup) bars; indicators \(plan.indicators.map(\.label).joined(separator: ", "))", false, document.jsonText)
            } catch {
                return ("invalid: \(error.code.rawValue) at \(error.pointer.isEmpty ? "/" : error.pointer): \(error.message)", true, nil)
            }
        case "explain_strategy":
            if let name = call.arguments["template"]?.string {
                guard let json = StrategyTemplates.json(named: name), let document = try? JSONValue(parsing: json) else {
                    return ("no template \(name); list_templates names them", true, nil)
                }
                return (StrategyExplainer.explain(document).joined(separator: "\n"), false, nil)
            }
            guard let document = call.arguments["document"] else { return ("give a document or a template", true, nil) }
            return (StrategyExplainer.explain(document).joined(separator: "\n"), false, nil)
        case "show_as_pine":
            guard let document = call.arguments["document"] else { return ("give the document", true, nil) }
            do { return (try PineEmitter.pine(document), false, nil) } catch { return (error.message, true, nil) }
        case "run_backtest":
            guard let document = call.arguments["document"], let symbol = call.arguments["symbol"]?.string, let timeframe = call.arguments["timeframe"]?.string else {
                return ("give document, symbol and timeframe", true, nil)
            }
            do { return (try await backtest(document.jsonText, symbol, timeframe), false, nil) } catch {
                return ("the backtest failed: \(RPCError.from(error).error.message)", true, nil)
            }
        case "create_bot":
            guard let proposeBot else { return ("this user may not create bots (their role is viewer)", true, nil) }
            guard let document = call.arguments["document"], case .object = document, let symbol = call.arguments["symbol"]?.string,
                let timeframe = call.arguments["timeframe"]?.string
            else { return ("give document, symbol and timeframe", true, nil) }
            do {
                let summary = try await proposeBot(document.jsonText, symbol, timeframe, call.arguments["name"]?.string ?? "")
                return ("proposed, NOT created: \(summary). Ask the user to answer yes to create it.", false, document.jsonText)
            } catch {
                return ("cannot propose this bot: \(RPCError.from(error).error.message)", true, nil)
            }
        default:
            return ("there is no tool \(call.name)", true, nil)
        }
    }
}
