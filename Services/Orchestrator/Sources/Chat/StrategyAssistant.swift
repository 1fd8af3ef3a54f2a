import RPC
import Contract
import Foundation
import Strategies
import Wire

/// Turns plain words into a strategy: a rule-based reader of the conversation (the user's
/// messages, later ones overriding earlier), not a language model. It understands a style (trend
/// following, mean reversion, balanced), a risk appetite (conservative, aggressive), RSI levels
/// ("buy when RSI is below 25"), EMA periods ("EMA 10 and 50", "fast 9 slow 21") and a stop loss or
/// take profit ("stop loss 2%"), which it reminds belong in the bot's risk settings. It asks what
/// it still needs, and proposes only strategies that pass the same validation bots do.
struct StrategyAssistant {
    struct Answer {
        var reply: String
        var strategy: PB.StrategyConfig?
        var questions: [String]
    }

    func answer(_ conversation: [String]) -> Answer {
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
