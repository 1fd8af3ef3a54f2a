import Foundation

/// A strategy document written back as a Pine Script v6 strategy, for people who read Pine (the
/// assistant's "show it as Pine"): inputs for the declared parameters, a variable per signal and
/// per indicator, `strategy.entry`/`strategy.close` for the rules, `strategy.exit` for percent
/// stops and targets, the size as `default_qty_type`. What Pine cannot say the same way (the
/// agents' consensus, ATR stops fixed at entry, trailing stops, risk-based sizing) is refused or
/// left as a comment naming it; the Pine compiler reads the result back (`PineEmitterTests`).
public enum PineEmitter {
    /// `document` (a strategy-language document) as a Pine Script v6 strategy; an error naming the
    /// construct that has no Pine equivalent.
    public static func pine(_ document: JSONValue) throws(StrategyError) -> String {
        var emitter = Emitter(document: document)
        return try emitter.script()
    }

    struct Emitter {
        let document: JSONValue
        var declarations: [String] = []
        var declared: Set<String> = []
        var notes: [String] = []

        mutating func script() throws(StrategyError) -> String {
            var head = ["//@version=6"]
            let name = document["name"]?.string ?? "Strategy"
            var settings = ["\(Self.quote(name))", "overlay=true", "initial_capital=100000"]
            let sizing = document["sizing"]
            let amount = (sizing?["percent"] ?? sizing?["quantity"] ?? sizing?["amount"]).flatMap(\.number)
            switch sizing?["model"]?.string ?? "all_in" {
            case "percent_equity": settings += ["default_qty_type=strategy.percent_of_equity", "default_qty_value=\(Self.number(amount ?? 10))"]
            case "fixed_quantity": settings += ["default_qty_type=strategy.fixed", "default_qty_value=\(Self.number(amount ?? 1))"]
            case "fixed_cash": settings += ["default_qty_type=strategy.cash", "default_qty_value=\(Self.number(amount ?? 1000))"]
            case "all_in": settings += ["default_qty_type=strategy.percent_of_equity", "default_qty_value=100"]
            case let model:
                settings += ["default_qty_type=strategy.percent_of_equity", "default_qty_value=10"]
                notes.append("// sizing \(model) has no Pine setting: 10% of equity per entry here")
            }
            if let fee = document["execution"]?["fee_bps"]?.number, fee > 0 {
                settings += ["commission_type=strategy.commission.percent", "commission_value=\(Self.number(fee / 100))"]
            }
            // The language fills at the close unless told otherwise; Pine at the next open.
            if (document["execution"]?["fill"]?.string ?? "close") == "close" { settings.append("process_orders_on_close=true") }
            head.append("strategy(\(settings.joined(separator: ", ")))")
            for (name, spec) in (document["parameters"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                let integer = spec["int"] != nil
                let range = (spec["int"] ?? spec["float"])?.array?.compactMap(\.number) ?? []
                let fallback = spec["default"]?.number ?? range.first ?? 0
                var arguments = [integer ? String(Int64(fallback)) : Self.number(fallback), Self.quote(name)]
                if range.count == 2 { arguments += ["minval=\(Self.number(range[0]))", "maxval=\(Self.number(range[1]))"] }
                head.append("\(Self.identifier(name)) = input.\(integer ? "int" : "float")(\(arguments.joined(separator: ", ")))")
            }
            var body: [String] = []
            let rules = document["rules"]
            let orders = [
                ("entry_long", "longEntry", "strategy.entry(\"Long\", strategy.long)"), ("exit_long", "longExit", "strategy.close(\"Long\")"),
                ("entry_short", "shortEntry", "strategy.entry(\"Short\", strategy.short)"), ("exit_short", "shortExit", "strategy.close(\"Short\")"),
            ]
            for (key, variable, order) in orders {
                guard let rule = rules?[key] else { continue }
                let conditions = try (rule.array ?? [rule]).map { (c: JSONValue) throws(StrategyError) -> String in try expression(c) }
                body.append("\(variable) = \(conditions.joined(separator: " and "))")
                body.append("if \(variable)")
                body.append("    \(order)")
            }
            body += try exits()
            return (head + declarations + body + notes).joined(separator: "\n") + "\n"
        }

        /// `strategy.exit` for percent stops and targets, per side the rules trade.
        mutating func exits() throws(StrategyError) -> [String] {
            guard let exits = document["exits"] else { return [] }
            var lines: [String] = []
            // Filling at the close, the entry's price is that close: known on the entry bar, as the
            // document's stop is. Filling at the next open, Pine knows it only a bar later.
            let atClose = (document["execution"]?["fill"]?.string ?? "close") == "close"
            let entryPrice = atClose ? "nz(strategy.position_avg_price, close)" : "strategy.position_avg_price"
            if !atClose, exits["stop_loss"]?["percent"] != nil || exits["take_profit"]?["percent"] != nil {
                notes.append("// filling at the next open, Pine knows the entry price a bar later: its stop and target start a bar later than the document's")
            }
            for (entry, sign) in [("Long", 1.0), ("Short", -1.0)] where document["rules"]?[entry == "Long" ? "entry_long" : "entry_short"] != nil {
                var levels: [String] = []
                if let pct = exits["stop_loss"]?["percent"]?.number {
                    levels.append("stop=\(entryPrice) * \(Self.number(1 - sign * pct / 100))")
                }
                if let pct = exits["take_profit"]?["percent"]?.number {
                    levels.append("limit=\(entryPrice) * \(Self.number(1 + sign * pct / 100))")
                }
                if !levels.isEmpty { lines.append("strategy.exit(\"\(entry) exit\", from_entry=\"\(entry)\", \(levels.joined(separator: ", ")))") }
            }
            for key in ["stop_loss", "take_profit", "trailing_stop"] {
                if let d = exits[key], d["percent"] == nil || key == "trailing_stop" {
                    notes.append("// \(key) \(d.jsonText) is not expressed here: Pine would re-read it every bar")
                }
            }
            if exits["max_bars"] != nil { notes.append("// max_bars is not expressed here") }
            return lines
        }

        /// An expression in Pine; a signal or an indicator gets a variable of its own, declared once.
        mutating func expression(_ v: JSONValue) throws(StrategyError) -> String {
            switch v {
            case .number(let n): return Self.number(n)
            case .bool(let b): return b ? "true" : "false"
            case .null: return "na"
            case .array: throw Self.refuse("an array where an expression was expected")
            case .string(let s):
                if s.hasPrefix("$") { return Self.identifier(String(s.dropFirst())) }
                if let definition = document["signals"]?[s] { return try declare(Self.identifier(s), definition) }
                return s
            case .object(let o):
                if o["indicator"] != nil { return try indicator(o) }
                if let left = o["left"], let op = o["op"]?.string, let right = o["right"] {
                    let a = try expression(left), b = try expression(right)
                    switch op {
                    case "crosses_above": return "ta.crossover(\(a), \(b))"
                    case "crosses_below": return "ta.crossunder(\(a), \(b))"
                    default: return "(\(a) \(op) \(b))"
                    }
                }
                if let all = o["and"]?.array { return "(" + (try all.map { (x: JSONValue) throws(StrategyError) -> String in try expression(x) }).joined(separator: " and ") + ")" }
                if let any = o["or"]?.array { return "(" + (try any.map { (x: JSONValue) throws(StrategyError) -> String in try expression(x) }).joined(separator: " or ") + ")" }
                if let x = o["not"] { return "not \(try expression(x))" }
                if let x = o["ago"], let bars = o["bars"] {
                    let inner = try expression(x), n = try expression(bars)
                    let named = inner.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? inner : try declare("ago_\(declarations.count)", nil, text: inner)
                    return "\(named)[\(n)]"
                }
                for (window, pine) in [("highest", "ta.highest"), ("lowest", "ta.lowest"), ("sum", "math.sum"), ("rising", "ta.rising"), ("falling", "ta.falling")] {
                    if let x = o[window], let bars = o["bars"] { return "\(pine)(\(try expression(x)), \(try expression(bars)))" }
                }
                for f in ["abs", "sqrt", "log", "exp", "floor", "ceil", "round", "sign"] {
                    if let x = o[f] { return "math.\(f)(\(try expression(x)))" }
                }
                if o["consensus"] != nil { throw Self.refuse("the agents' consensus has no Pine equivalent") }
                throw Self.refuse("\(o.keys.sorted().first ?? "this node") has no Pine equivalent here")
            }
        }

        /// `name = text` (or the definition's expression) once, before what reads it.
        mutating func declare(_ name: String, _ definition: JSONValue?, text: String? = nil) throws(StrategyError) -> String {
            guard !declared.contains(name) else { return name }
            let value: String
            if let text { value = text } else { value = try expression(definition ?? .null) }
            declared.insert(name)
            declarations.append("\(name) = \(value)")
            return name
        }

        mutating func indicator(_ o: [String: JSONValue]) throws(StrategyError) -> String {
            let name = o["indicator"]?.string ?? ""
            func argument(_ key: String, _ fallback: Double) throws(StrategyError) -> String { try o[key].map { v throws(StrategyError) in try expression(v) } ?? Self.number(fallback) }
            let source = o["source"]?.string ?? "close"
            let period = try argument("period", 14)
            // Named by what it is (`ta_sma_10`, `ta_sma_slow`), so two calls never share a variable.
            let values = ["period", "fast", "slow", "signal", "nbdevup", "fastk", "slowk", "slowd"].compactMap { key -> String? in
                guard let v = o[key] else { return nil }
                return v.number.map(Self.number) ?? v.string.map { String($0.drop { $0 == "$" }) }
            }
            let stem = Self.identifier((["ta", name] + values).joined(separator: "_") + (source == "close" ? "" : "_" + source))
            switch name {
            case "sma", "ema", "wma", "rsi", "rma", "vwma", "cci", "mom", "roc", "stdev":
                return try declare(stem, nil, text: "ta.\(name)(\(source), \(period))")
            case "atr": return try declare(stem, nil, text: "ta.atr(\(period))")
            case "macd":
                let call = "ta.macd(\(source), \(try argument("fast", 12)), \(try argument("slow", 26)), \(try argument("signal", 9)))"
                return try tuple(stem, ["macd", "signal", "hist"], o["output"]?.string ?? "macd", call, of: name)
            case "bbands":
                let call = "ta.bb(\(source), \(try argument("period", 5)), \(try argument("nbdevup", 2)))"
                return try tuple(stem, ["middle", "upper", "lower"], o["output"]?.string ?? "middle", call, of: name)
            case "adx":
                let names = ["\(stem)_plus", "\(stem)_minus", stem]
                if !declared.contains(stem) {
                    declared.formUnion(names)
                    declarations.append("[\(names.joined(separator: ", "))] = ta.dmi(\(period), \(period))")
                }
                return stem
            case "stoch":
                let fastk = try argument("fastk", 5), slowk = try argument("slowk", 3)
                let k = try declare(stem + "_k", nil, text: "ta.sma(ta.stoch(close, high, low, \(fastk)), \(slowk))")
                if o["output"]?.string == "slowd" { return try declare(stem + "_d", nil, text: "ta.sma(\(k), \(try argument("slowd", 3)))") }
                return k
            default:
                throw Self.refuse("the indicator \(name) has no Pine equivalent here")
            }
        }

        /// One output of a Pine function returning a tuple (`[a, b, c] = ta.macd(…)`), declared once.
        mutating func tuple(_ stem: String, _ outputs: [String], _ output: String, _ call: String, of name: String) throws(StrategyError) -> String {
            guard let index = outputs.firstIndex(of: output) else { throw Self.refuse("\(name) has no output \(output)") }
            let names = outputs.map { "\(stem)_\($0)" }
            if !declared.contains(names[0]) {
                declared.formUnion(names)
                declarations.append("[\(names.joined(separator: ", "))] = \(call)")
            }
            return names[index]
        }

        static func refuse(_ what: String) -> StrategyError { StrategyError(.invalidValue, "cannot show this strategy as Pine: \(what)") }

        static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }

        static func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

        static func identifier(_ s: String) -> String {
            let cleaned = String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            return cleaned.first?.isNumber == true ? "_" + cleaned : cleaned
        }
    }
}
