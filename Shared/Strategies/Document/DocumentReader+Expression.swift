extension DocumentReader {
    /// The operator keys an expression object may have (exactly one of them).
    static let operatorKeys =
        ["indicator", "left", "and", "or", "not", "position", "consensus", "if", "previous", "time"] + Function.allCases.map(\.rawValue)
        + Window.allCases.map(\.rawValue)

    static let operatorKeySet = Set(operatorKeys)

    /// Reads one expression: a number, `true`/`false`, `"$param"`, a price source or signal name,
    /// or an object with one operator key.
    static func expression(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> Expression {
        let here = p.description
        switch value {
        case .number(let n): return Expression(.number(n), at: here)
        case .bool(let b): return Expression(.boolean(b), at: here)
        case .string(let s):
            if s.hasPrefix("$") {
                guard isName(String(s.dropFirst())) else { throw StrategyError(.invalidValue, at: here, "\"\(s.prefix(40))\" is not a parameter name") }
                return Expression(.parameter(String(s.dropFirst())), at: here)
            }
            if let price = PriceSource(rawValue: s) { return Expression(.price(price), at: here) }
            if s == "na" { return Expression(.number(.nan), at: here) }
            if s == "bar_index" { return Expression(.barIndex, at: here) }
            if s == "time" { return Expression(.time(.time), at: here) }
            guard isName(s) else {
                throw StrategyError(.invalidValue, at: here, "\"\(s.prefix(40))\" is not a price (open, high, low, close, volume, hl2, hlc3, ohlc4), a signal or a \"$parameter\"")
            }
            return Expression(.signal(s), at: here)
        case .array:
            throw StrategyError(.invalidValue, at: here, "expected an expression, found an array; to require several conditions use {\"and\": [...]}")
        case .null:
            throw StrategyError(.invalidValue, at: here, "expected an expression, found null")
        case .object(let o):
            let keys = o.keys.filter { operatorKeySet.contains($0) }
            guard keys.count == 1, let op = keys.first else {
                if keys.count > 1 {
                    throw StrategyError(.invalidField, at: here, "one expression has several operators (\(keys.sorted().joined(separator: ", "))); nest them")
                }
                let guess = o.keys.sorted().first.map { Suggestion.didYouMean($0, among: operatorKeys) } ?? ""
                throw StrategyError(
                    .invalidField, at: here,
                    "an expression object needs one of \(operatorKeys.joined(separator: ", "))\(guess)")
            }
            return try operation(op, o, at: p)
        }
    }

    private static func operation(_ op: String, _ o: [String: JSONValue], at p: JSONPointer) throws(StrategyError) -> Expression {
        let here = p.description
        switch op {
        case "indicator": return Expression(.indicator(try indicator(o, at: p)), at: here)
        case "left":
            try onlyKeys(o, ["left", "op", "right"], at: p)
            guard let opValue = o["op"] else {
                throw StrategyError(.invalidField, at: here, "a comparison needs \"op\": one of \(BinaryOperator.allCases.map(\.rawValue).joined(separator: " "))")
            }
            let text = try string(opValue, at: p.appending("op"))
            guard let binary = BinaryOperator(rawValue: text) else {
                let known = BinaryOperator.allCases.map(\.rawValue)
                throw StrategyError(
                    .invalidValue, at: p.appending("op").description,
                    "\"\(text.prefix(40))\" is not an operator\(Suggestion.didYouMean(text, among: known)); use one of \(known.joined(separator: " "))")
            }
            guard let right = o["right"] else { throw StrategyError(.invalidField, at: here, "\"\(text)\" needs a \"right\" side") }
            return Expression(
                .binary(binary, try expression(o["left"]!, at: p.appending("left")), try expression(right, at: p.appending("right"))), at: here)
        case "and", "or":
            try onlyKeys(o, [op], at: p)
            guard case .array(let items) = o[op]!, !items.isEmpty else {
                throw StrategyError(.invalidValue, at: p.appending(op).description, "\"\(op)\" takes a non-empty array of conditions")
            }
            var parts: [Expression] = []
            for (i, item) in items.enumerated() { parts.append(try expression(item, at: p.appending(op).appending(i))) }
            return Expression(op == "and" ? .all(parts) : .any(parts), at: here)
        case "not":
            try onlyKeys(o, ["not"], at: p)
            return Expression(.not(try expression(o["not"]!, at: p.appending("not"))), at: here)
        case "if":
            try onlyKeys(o, ["if", "then", "else"], at: p)
            guard let then = o["then"], let otherwise = o["else"] else {
                throw StrategyError(.invalidField, at: here, "\"if\" needs \"then\" and \"else\": {\"if\": c, \"then\": a, \"else\": b}")
            }
            return Expression(
                .choice(
                    try expression(o["if"]!, at: p.appending("if")), then: try expression(then, at: p.appending("then")),
                    else: try expression(otherwise, at: p.appending("else"))), at: here)
        case "time":
            return Expression(.time(try named(TimeField.self, "time", o, at: p, what: "a time field")), at: here)
        case "previous":
            try onlyKeys(o, ["previous", "initial"], at: p)
            let name = try string(o["previous"]!, at: p.appending("previous"))
            guard isName(name) else { throw StrategyError(.invalidValue, at: p.appending("previous").description, "\"previous\" names a signal") }
            let initial = try o["initial"].map { v throws(StrategyError) in try expression(v, at: p.appending("initial")) }
            return Expression(.previous(name, initial: initial), at: here)
        case _ where Function(rawValue: op) != nil:
            let f = Function(rawValue: op)!
            try onlyKeys(o, [op], at: p)
            guard let arity = f.arity, arity == 1 else {
                guard case .array(let items) = o[op]!, items.count >= 2, f.arity == nil || items.count == f.arity else {
                    let count = f.arity.map { "exactly \($0)" } ?? "two or more"
                    throw StrategyError(.invalidValue, at: p.appending(op).description, "\"\(op)\" takes an array of \(count) numbers")
                }
                var parts: [Expression] = []
                for (i, item) in items.enumerated() { parts.append(try expression(item, at: p.appending(op).appending(i))) }
                return Expression(.function(f, parts), at: here)
            }
            return Expression(.function(f, [try expression(o[op]!, at: p.appending(op))]), at: here)
        case "position":
            return Expression(.position(try named(PositionField.self, "position", o, at: p, what: "a position field")), at: here)
        case "consensus":
            try onlyKeys(o, ["consensus", "agent_params", "veto"], at: p)
            let weights = try settings(o["consensus"]!, at: p.appending("consensus"))
            guard !weights.isEmpty else {
                throw StrategyError(.invalidValue, at: p.appending("consensus").description, "name the agents and their weights, e.g. {\"trend\": 0.6, \"momentum\": 0.4}")
            }
            let agentParameters = try o["agent_params"].map { v throws(StrategyError) in try settings(v, at: p.appending("agent_params")) } ?? []
            let vetoes = try o["veto"].map { v throws(StrategyError) in try settings(v, at: p.appending("veto")) } ?? []
            return Expression(.consensus(ConsensusCall(weights: weights, agentParameters: agentParameters, vetoes: vetoes)), at: here)
        default:
            let window = Window(rawValue: op)!
            try onlyKeys(o, [op, "bars"], at: p)
            guard let bars = o["bars"] else { throw StrategyError(.invalidField, at: here, "\"\(op)\" needs \"bars\" (how many bars)") }
            return Expression(.window(window, try expression(o[op]!, at: p.appending(op)), bars: try quantity(bars, at: p.appending("bars"))), at: here)
        }
    }

    /// `{"<key>": "<one of E's names>"}`, the object holding nothing else.
    private static func named<E: RawRepresentable & CaseIterable>(_: E.Type, _ key: String, _ o: [String: JSONValue], at p: JSONPointer, what: String)
        throws(StrategyError) -> E where E.RawValue == String
    {
        try onlyKeys(o, [key], at: p)
        let text = try string(o[key]!, at: p.appending(key))
        guard let value = E(rawValue: text) else {
            let known = E.allCases.map(\.rawValue)
            throw StrategyError(
                .invalidValue, at: p.appending(key).description,
                "\"\(text.prefix(40))\" is not \(what)\(Suggestion.didYouMean(text, among: known)); use one of \(known.joined(separator: ", "))")
        }
        return value
    }

    /// An object of names to numbers or `"$parameter"`s, in name order.
    private static func settings(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> [ConsensusCall.Setting] {
        var out: [ConsensusCall.Setting] = []
        for (key, item) in try object(value, at: p).sorted(by: { $0.key < $1.key }) {
            let at = p.appending(key)
            out.append(ConsensusCall.Setting(name: key, value: try quantity(item, at: at), pointer: at.description))
        }
        return out
    }

    private static func indicator(_ o: [String: JSONValue], at p: JSONPointer) throws(StrategyError) -> IndicatorCall {
        let name = try string(o["indicator"]!, at: p.appending("indicator")).lowercased()
        var call = IndicatorCall(name: name, arguments: [], source: nil, output: nil)
        for key in o.keys.sorted() where key != "indicator" {
            let at = p.appending(key)
            switch key {
            case "source":
                let text = try string(o[key]!, at: at)
                guard let source = PriceSource(rawValue: text) else {
                    throw StrategyError(
                        .invalidValue, at: at.description,
                        "\"\(text.prefix(40))\" is not a price source; use one of \(PriceSource.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                call.source = source
            case "output": call.output = try string(o[key]!, at: at)
            case "params":
                guard case .array(let items) = o[key]! else { throw StrategyError(.invalidValue, at: at.description, "\"params\" is an array of numbers") }
                for (i, item) in items.enumerated() {
                    call.arguments.append(.init(name: nil, value: try quantity(item, at: at.appending(i)), pointer: at.appending(i).description))
                }
            default:
                call.arguments.append(.init(name: key, value: try quantity(o[key]!, at: at), pointer: at.description))
            }
        }
        return call
    }
}

/// "did you mean" for names a person mistyped.
enum Suggestion {
    /// `; did you mean "rsi"?` for the nearest of `candidates` within a small edit distance, or "".
    static func didYouMean(_ text: String, among candidates: [String]) -> String {
        let near = nearest(text, among: candidates)
        return near.isEmpty ? "" : "; did you mean " + near.map { "\"\($0)\"" }.joined(separator: " or ") + "?"
    }

    /// The candidates at the smallest edit distance (at most a third of the word, at least 1), up to two.
    static func nearest(_ text: String, among candidates: [String]) -> [String] {
        let word = Array(text.lowercased().prefix(64))
        let limit = max(1, word.count / 3)
        let scored = candidates.map { ($0, distance(word, Array($0.lowercased()))) }.filter { $0.1 <= limit }
        guard let best = scored.map(\.1).min() else { return [] }
        return Array(scored.filter { $0.1 == best }.map(\.0).prefix(2))
    }

    /// Damerau–Levenshtein distance with adjacent transpositions (optimal string alignment).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
