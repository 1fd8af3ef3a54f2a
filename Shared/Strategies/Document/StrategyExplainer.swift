import Foundation

/// A strategy document in plain words: its rules condition by condition, its exits and its size,
/// for people (the assistant's `explain_strategy`, a Pine script's compiled document alike).
public enum StrategyExplainer {
    /// One line per rule, exit and the size.
    public static func explain(_ document: JSONValue) -> [String] {
        var lines: [String] = []
        let signals = document["signals"]
        let rules = document["rules"]
        let names = [
            ("entry_long", "Buy when"), ("exit_long", "Sell the long when"), ("entry_short", "Sell short when"), ("exit_short", "Buy back the short when"),
        ]
        for (key, lead) in names {
            guard let rule = rules?[key] else { continue }
            let conditions = rule.array ?? [rule]
            lines.append(lead + " " + conditions.map { words($0, signals) }.joined(separator: ", and "))
        }
        if let exits = document["exits"] {
            for (key, name) in [("stop_loss", "Stop loss"), ("take_profit", "Take profit"), ("trailing_stop", "Trailing stop")] {
                if let d = exits[key] { lines.append("\(name) \(distance(d, signals))") }
            }
            if let bars = exits["max_bars"] { lines.append("Out after \(words(bars, signals)) bars at most") }
        }
        if let sizing = document["sizing"], let model = sizing["model"]?.string {
            let amount = sizing["percent"] ?? sizing["quantity"] ?? sizing["amount"]
            let text: String =
                switch model {
                case "percent_equity": "\(amount.map { words($0, signals) } ?? "?")% of equity per entry"
                case "risk_percent": "risks \(amount.map { words($0, signals) } ?? "?")% of equity per trade (to its stop)"
                case "fixed_quantity": "\(amount.map { words($0, signals) } ?? "?") units per entry"
                case "fixed_cash": "\(amount.map { words($0, signals) } ?? "?") in cash per entry"
                case "atr": "risks \(amount.map { words($0, signals) } ?? "?")% of equity over an ATR stop"
                case "kelly": "sized by the Kelly criterion from its own trades"
                default: "all the cash"
                }
            lines.append("Size: " + text)
        }
        return lines
    }

    static func distance(_ d: JSONValue, _ signals: JSONValue?) -> String {
        if let pct = d["percent"] { return "\(words(pct, signals))% from the entry" }
        if let atr = d["atr"] { return "\(words(atr, signals)) × ATR(\(d["period"].map { words($0, signals) } ?? "14")) from the entry" }
        if let points = d["points"] { return "\(words(points, signals)) points from the entry" }
        if let level = d["level"] { return "at \(words(level, signals))" }
        return d.jsonText
    }

    static let relations: [String: String] = [
        ">": "is above", ">=": "is at or above", "<": "is below", "<=": "is at or below", "==": "equals", "!=": "differs from",
        "crosses_above": "crosses above", "crosses_below": "crosses below", "+": "plus", "-": "minus", "*": "times", "/": "divided by", "%": "modulo",
    ]

    /// An expression in words; a named signal is explained by its definition.
    public static func words(_ v: JSONValue, _ signals: JSONValue?) -> String {
        switch v {
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "always" : "never"
        case .null: return "nothing"
        case .string(let s):
            if s.hasPrefix("$") { return "the parameter \(s.dropFirst())" }
            if let definition = signals?[s] { return words(definition, nil) }
            return s == "close" ? "the close" : s.replacingOccurrences(of: "_", with: " ")
        case .array(let items): return items.map { words($0, signals) }.joined(separator: " and ")
        case .object(let o):
            if let name = o["indicator"]?.string {
                let period = o["period"].map { words($0, signals) }
                let output = o["output"]?.string
                var text = name.uppercased() + (period.map { "(\($0))" } ?? "")
                if let output { text = name == "bbands" ? "the \(output) Bollinger band" + (period.map { "(\($0))" } ?? "") : "\(text) \(output)" }
                if let source = o["source"]?.string { text += " of the \(source)" }
                return text
            }
            if let left = o["left"], let op = o["op"]?.string, let right = o["right"] {
                return "\(words(left, signals)) \(relations[op] ?? op) \(words(right, signals))"
            }
            if let all = o["and"]?.array { return all.map { words($0, signals) }.joined(separator: " and ") }
            if let any = o["or"]?.array { return "either " + any.map { words($0, signals) }.joined(separator: " or ") }
            if let x = o["not"] { return "not (\(words(x, signals)))" }
            if let x = o["ago"], let bars = o["bars"] { return "\(words(x, signals)) \(words(bars, signals)) bar(s) ago" }
            for window in ["highest", "lowest", "sum"] {
                if let x = o[window], let bars = o["bars"] { return "the \(window) \(words(x, signals)) of the last \(words(bars, signals)) bars" }
            }
            for window in ["rising", "falling"] {
                if let x = o[window], let bars = o["bars"] { return "\(words(x, signals)) \(window) for \(words(bars, signals)) bars" }
            }
            if let consensus = o["consensus"] {
                let agents = (consensus.object ?? [:]).keys.sorted().map { "\($0) \(words(consensus[$0]!, signals))" }
                return "the agents' weighted vote (\(agents.joined(separator: ", ")))"
            }
            if let position = o["position"]?.string { return "the position is \(position)" }
            if let condition = o["if"], let then = o["then"], let other = o["else"] {
                return "\(words(then, signals)) if \(words(condition, signals)), else \(words(other, signals))"
            }
            return v.jsonText
        }
    }
}
