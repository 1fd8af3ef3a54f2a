import RPC
import Contract
import Foundation
import Strategies
import Wire

/// Turns plain words into a strategy, offline: the user's messages are read by
/// `PlainEnglishReader` into rules, exits and a size (a later message's rules, exits and size
/// replace an earlier one's), and become a strategy document, checked by the compiler bots use,
/// described back in plain words. What is missing (when to sell) or not understood is asked for
/// exactly. Without any rule it falls back to a style (trend following, mean reversion,
/// balanced) and a risk appetite, proposing an agent preset.
struct StrategyAssistant {
    struct Answer {
        var reply: String
        var strategy: PB.StrategyConfig?
        var questions: [String]
        /// The market and timeframe the conversation named, if any.
        var symbol: String?
        var timeframe: String?
    }

    func answer(_ conversation: [String]) -> Answer {
        let last = conversation.last?.lowercased() ?? ""
        // "explain sma_cross": a template in plain words.
        if last.hasPrefix("explain"), let template = StrategyTemplates.all.first(where: { last.contains($0.name) || last.contains($0.name.replacingOccurrences(of: "_", with: " ")) }),
            let document = try? JSONValue(parsing: template.json)
        {
            return Answer(reply: "\(template.name): \(template.summary)\n" + StrategyExplainer.explain(document).map { "- \($0)" }.joined(separator: "\n"), questions: [])
        }
        var answer = read(conversation)
        // "show it as Pine": the proposal written as a Pine Script strategy.
        if last.range(of: #"\b(pine|pinescript|tradingview)\b"#, options: .regularExpression) != nil, let text = answer.strategy?.document, !text.isEmpty,
            let document = try? JSONValue(parsing: text)
        {
            do { answer.reply += "\nAs Pine Script:\n```pine\n" + (try PineEmitter.pine(document)) + "```" } catch { answer.reply += "\n" + error.message }
        }
        return answer
    }

    /// The conversation read into a document, a preset, or the question standing in the way.
    private func read(_ conversation: [String]) -> Answer {
        var reader = PlainEnglishReader()
        var reading = PlainEnglishReader.Reading()
        for message in conversation { reading.merge(reader.read(message)) }
        if reading.hasRules { return document(reading, words: conversation) }
        let style = preset(conversation)
        // Words that read like a rule ("buy when …") but were not understood: say which.
        let triedRules = conversation.contains { $0.lowercased().contains("when") || $0.lowercased().contains(" if ") }
        if style.strategy == nil, triedRules, !reading.notUnderstood.isEmpty {
            let unknown = reading.notUnderstood.map { "“\($0)”" }.joined(separator: ", ")
            return Answer(
                reply: "I could not read \(unknown) as a rule.",
                questions: ["When should it buy? For example “buy when the 50-day moving average crosses above the 200-day” or “buy when RSI drops below 30”."]
                    + style.questions)
        }
        return preset(conversation)
    }

    /// A document from what was read, or the question that stands in the way.
    private func document(_ r: PlainEnglishReader.Reading, words: [String]) -> Answer {
        var questions = r.notUnderstood.map {
            "I did not understand “\($0)”. Say it like “RSI below 30”, “the 20-day high”, “the close above the 200-day moving average”, “2% stop loss”."
        }
        let protected = !r.exits.isEmpty
        if !r.entryLong.isEmpty, r.exitLong.isEmpty, !protected {
            questions.insert("When should it sell? For example “sell when RSI rises above 70”, “take profit at 5%” or “a 3% trailing stop”.", at: 0)
        }
        if !r.entryShort.isEmpty, r.exitShort.isEmpty, !protected {
            questions.insert("When should it buy back the short? For example “cover when RSI drops below 30” or “a 2% stop loss”.", at: 0)
        }
        guard !questions.contains(where: { $0.hasPrefix("When") }) else {
            return Answer(reply: "So far: " + r.said.joined(separator: "; ") + ".", questions: questions)
        }
        var rules: [String: JSONValue] = [:]
        if !r.entryLong.isEmpty { rules["entry_long"] = .array(r.entryLong) }
        if !r.exitLong.isEmpty { rules["exit_long"] = .array(r.exitLong) }
        if !r.entryShort.isEmpty { rules["entry_short"] = .array(r.entryShort) }
        if !r.exitShort.isEmpty { rules["exit_short"] = .array(r.exitShort) }
        let sizing = r.sizing ?? .object(["model": "percent_equity", "percent": 10])
        var document: [String: JSONValue] = [
            "version": 1, "name": "Described strategy", "description": .string(String(words.joined(separator: " ").prefix(500))),
            "rules": .object(rules), "sizing": sizing, "execution": .object(["fill": "next_open", "fee_bps": 10]),
        ]
        if !r.exits.isEmpty { document["exits"] = .object(r.exits) }
        let text = JSONValue.object(document).jsonText
        do {
            _ = try StrategyCompiler.compile(try StrategyDocument(json: text))
        } catch {
            return Answer(reply: "What you describe does not make a valid strategy: \(error.message). Could you change it?", questions: [error.message])
        }
        var lines = ["I built this strategy:"] + r.said.map { "- \($0)" }
        if r.sizing == nil { lines.append("- size: 10% of equity per trade (say “risk 1% per trade” or “100 shares” to change it)") }
        if let symbol = r.symbol { lines.append("- market: \(symbol)") }
        if let timeframe = r.timeframe { lines.append("- timeframe: \(timeframe)") }
        lines.append("Orders fill at the next bar's open, with 0.1% fees. Backtest it before you run it.")
        return Answer(reply: lines.joined(separator: "\n"), strategy: PB.StrategyConfig(document: text), questions: questions, symbol: r.symbol, timeframe: r.timeframe)
    }

    /// Whether `message` asks for a bot ("create a bot on BTC/USDT", "run it as a bot").
    static func asksForBot(_ message: String) -> Bool {
        message.lowercased().range(of: #"\b(create|make|start|run|launch|set up|deploy)\b.*\bbots?\b"#, options: .regularExpression) != nil
    }

    /// The agent preset a style and a risk appetite describe.
    private func preset(_ conversation: [String]) -> Answer {
        var style: String?
        var appetite: String?
        var parameters: [String: Double] = [:]
        var exits: [String] = []
        for raw in conversation {
            let text = raw.lowercased()
            if text.containsAny("trend", "momentum", "breakout", "ride") { style = "trend_following" }
            if text.containsAny("revers", "oversold", "overbought", "dip", "bounce", "rsi") { style = "mean_reversion" }
            if text.containsAny("balanced", "mix", "both", "all agents") { style = "balanced" }
            if text.containsAny("conservative", "careful", "safe", "low risk", "cautious") { appetite = "conservative" }
            if text.containsAny("aggressive", "high risk", "bold", "risky") { appetite = "aggressive" }
            if let n = text.number(after: #"rsi\D{0,20}?(?:below|under|<|less than)\s*"#) { parameters["oversold"] = n }
            if let n = text.number(after: #"rsi\D{0,20}?(?:above|over|>|more than)\s*"#) { parameters["overbought"] = n }
            if let n = text.number(after: #"oversold\D{0,10}?"#) { parameters["oversold"] = n }
            if let n = text.number(after: #"overbought\D{0,10}?"#) { parameters["overbought"] = n }
            if let pair = text.numbers(matching: #"ema\s*(\d+)\s*(?:and|/|,|&|vs\.?)\s*(?:ema\s*)?(\d+)"#)
                ?? text.numbers(matching: #"fast\D{0,12}?(\d+)\D{1,20}?slow\D{0,12}?(\d+)"#)
            {
                parameters["fast_period"] = min(pair.0, pair.1)
                parameters["slow_period"] = max(pair.0, pair.1)
                if style == nil { style = "trend_following" }
            }
            if let n = text.number(after: #"stop[\s-]*loss\D{0,10}?"#) { exits.append("stop_loss_pct \(n / 100)") }
            if let n = text.number(after: #"take[\s-]*profit\D{0,10}?"#) { exits.append("take_profit_pct \(n / 100)") }
        }
        guard let style else {
            return Answer(
                reply: "I can build a trading strategy from a description. Tell me how you would like to trade.",
                questions: [
                    "Do you want to follow trends (buy strength), or buy dips and sell rallies (mean reversion), or a balanced mix?",
                    "How much risk are you comfortable with: conservative, moderate or aggressive?",
                ])
        }
        var config = PB.StrategyConfig(name: style, parameters: parameters)
        let base: Double = style == "balanced" ? 0.25 : 0.3
        switch appetite {
        case "conservative": config.consensusThreshold = base + 0.15
        case "aggressive": config.consensusThreshold = max(0.1, base - 0.1)
        default: break
        }
        let strategy: Strategy
        do { strategy = try Strategy(config) } catch {
            return Answer(reply: "That does not quite work: \(error.message). Could you adjust it?", questions: [error.message])
        }
        var lines = ["I propose the \(style.replacingOccurrences(of: "_", with: " ")) strategy:"]
        lines += (strategy.plan.consensus.first?.members ?? []).map { "- \($0.agent.rawValue) (weight \($0.weight.shown)): \($0.agent.info.description)" }
        lines.append("- it trades when the weighted agreement reaches \((strategy.parameters["threshold"] ?? 0).shown)")
        let shown = parameters.keys.sorted().map { "\($0) = \(parameters[$0]!.shown)" }
        if !shown.isEmpty { lines.append("- with \(shown.joined(separator: ", "))") }
        if !exits.isEmpty { lines.append("Set \(exits.joined(separator: " and ")) in the bot's risk settings.") }
        var questions: [String] = []
        if appetite == nil { questions.append("How much risk are you comfortable with: conservative, moderate or aggressive?") }
        if exits.isEmpty { questions.append("Would you like a stop loss, e.g. 2% below the entry?") }
        return Answer(reply: lines.joined(separator: "\n"), strategy: strategy.config, questions: questions)
    }
}

extension String {
    func containsAny(_ words: String...) -> Bool { words.contains { contains($0) } }

    /// The number right after a match of `prefix` (a regular expression), if any.
    func number(after prefix: String) -> Double? {
        guard let regex = try? Regex(prefix + #"(\d+(?:\.\d+)?)"#), let match = firstMatch(of: regex), let last = match.output.last?.substring
        else { return nil }
        return Double(last)
    }

    /// The two numbers a pattern with two groups captures.
    func numbers(matching pattern: String) -> (Double, Double)? {
        guard let regex = try? Regex(pattern), let match = firstMatch(of: regex), match.output.count == 3,
            let a = match.output[1].substring.flatMap({ Double($0) }), let b = match.output[2].substring.flatMap({ Double($0) })
        else { return nil }
        return (a, b)
    }
}
