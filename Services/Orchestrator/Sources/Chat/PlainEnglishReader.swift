import Foundation
import Strategies

/// Reads a trading idea written in plain English into a strategy document: a small grammar, not a
/// language model. A description is cut into clauses, each led by what it is about — buying,
/// selling, shorting, covering, a filter ("only when", "don't buy when"), a stop, a target, a
/// trailing stop, the size, the market, the timeframe — and each condition is read by the first
/// of a list of patterns that matches it: moving-average crosses (periods and SMA/EMA/WMA), the
/// price against an average, RSI, MACD, Bollinger, stochastic and ADX thresholds, breakouts of an
/// n-bar high or low, volume against its average, volatility, up- and downtrends, "the dip".
/// What it cannot read it names, so the assistant can ask exactly that.
struct PlainEnglishReader {
    /// What "it" refers to (the subject of the last condition), and the kind of moving average
    /// the description has been using: carried from one message of a conversation to the next.
    private var subject = "price"
    private var average = "sma"

    /// What was read.
    struct Reading {
        /// Conditions (strategy-language expressions), all of which must hold, per rule.
        var entryLong: [JSONValue] = []
        var exitLong: [JSONValue] = []
        var entryShort: [JSONValue] = []
        var exitShort: [JSONValue] = []
        /// `exits` and `sizing` members of the document.
        var exits: [String: JSONValue] = [:]
        var sizing: JSONValue?
        var symbol: String?
        var timeframe: String?
        /// Each condition read, in words, for the reply.
        var said: [String] = []
        /// Clauses read as being about trading that no pattern matched.
        var notUnderstood: [String] = []

        /// Whether anything tells the strategy when to trade.
        var hasRules: Bool { !entryLong.isEmpty || !entryShort.isEmpty }

        /// `later` over this: its rules, exits, size and market replace these where it has them.
        mutating func merge(_ later: Reading) {
            if !later.entryLong.isEmpty { entryLong = later.entryLong }
            if !later.exitLong.isEmpty { exitLong = later.exitLong }
            if !later.entryShort.isEmpty { entryShort = later.entryShort }
            if !later.exitShort.isEmpty { exitShort = later.exitShort }
            exits.merge(later.exits) { $1 }
            sizing = later.sizing ?? sizing
            symbol = later.symbol ?? symbol
            timeframe = later.timeframe ?? timeframe
            said += later.said
            notUnderstood += later.notUnderstood
        }
    }

    mutating func read(_ text: String) -> Reading {
        var reading = Reading()
        let normalized = Self.normalize(text)
        reading.symbol = Self.symbol(in: text)
        reading.timeframe = Self.timeframe(in: normalized)
        var filters: [JSONValue] = []
        for sentence in normalized.split(separator: /[;!?\n:]|\.(?!\d)/) {
            for clause in Self.clauses(String(sentence)) {
                read(clause, into: &reading, filters: &filters)
            }
        }
        // Filters hold back entries, long and short alike.
        if !reading.entryLong.isEmpty { reading.entryLong += filters }
        if !reading.entryShort.isEmpty { reading.entryShort += filters }
        return reading
    }

    // MARK: Clauses

    /// What a clause is about, by the words that lead it (longest first).
    enum Intent: CaseIterable {
        case notBuy, onlyWhen, buy, sell, short, cover, stop, target, trail, size, risk
    }

    static let leads: [(String, Intent)] = [
        ("don't buy", .notBuy), ("do not buy", .notBuy), ("never buy", .notBuy), ("avoid buying", .notBuy), ("don't enter", .notBuy),
        ("do not enter", .notBuy), ("don't trade", .notBuy), ("do not trade", .notBuy), ("never trade", .notBuy), ("avoid trading", .notBuy),
        ("only buy", .onlyWhen), ("only trade", .onlyWhen), ("only when", .onlyWhen), ("only if", .onlyWhen), ("but only", .onlyWhen),
        ("as long as", .onlyWhen), ("provided", .onlyWhen),
        ("take profit", .target), ("take-profit", .target), ("profit target", .target), ("target", .target),
        ("trailing stop", .trail), ("trail", .trail), ("stop loss", .stop), ("stop-loss", .stop), ("stop", .stop),
        ("cover", .cover), ("buy to cover", .cover),
        ("go short", .short), ("sell short", .short), ("short", .short),
        ("go long", .buy), ("buy", .buy), ("enter", .buy), ("get in", .buy), ("long", .buy),
        ("sell", .sell), ("exit", .sell), ("close the position", .sell), ("close", .sell), ("take profits", .sell), ("get out", .sell),
        ("risk", .risk), ("use", .size), ("invest", .size), ("put", .size), ("allocate", .size), ("size", .size), ("position size", .size),
    ]

    /// A sentence cut where each lead word starts a new clause: "buy when A and B, sell when C"
    /// is two clauses. A lead inside a condition ("the close crosses…") does not cut, because only
    /// words at the start of a clause or after a comma, "and", "then" or "but" can lead.
    static func clauses(_ sentence: String) -> [(intent: Intent, text: String)] {
        var out: [(Intent, String)] = []
        let words = sentence.split(separator: " ").map(String.init)
        var current: (Intent, [String])?
        var i = 0
        while i < words.count {
            let atBoundary = i == 0 || boundaries.contains(words[i - 1]) || words[i - 1].hasSuffix(",")
            var matched: (Intent, Int)?
            // A filter may start anywhere: "buy when A only if B".
            for (lead, intent) in leads where atBoundary || intent == .onlyWhen {
                    let parts = lead.split(separator: " ").map(String.init)
                if i + parts.count <= words.count, Array(words[i..<i + parts.count]).map({ $0.trimmingCharacters(in: .punctuationCharacters) }) == parts {
                    matched = (intent, parts.count)
                    break
                }
            }
            // "when RSI is below 20 buy, …": a lead word ending its clause names what the clause was.
            let word = words[i].trimmingCharacters(in: .punctuationCharacters)
            if matched == nil, !atBoundary, i > 0, ["buy", "sell", "short", "cover", "exit"].contains(word), i == words.count - 1 || words[i].hasSuffix(",") || words[i + 1] == "," {
                let intent = leads.first { $0.0 == word }!.1
                current = (intent, current?.1 ?? [])
                out.append((intent, Self.trimJoiners(current!.1)))
                current = nil
                i += 1
                continue
            }
            if let (intent, length) = matched {
                if let c = current { out.append((c.0, Self.trimJoiners(c.1))) }
                current = (intent, [])
                i += length
                continue
            }
            if current == nil { current = (.buy, []) }  // "when RSI < 30" alone reads as the entry
            current!.1.append(words[i])
            i += 1
        }
        if let c = current { out.append((c.0, Self.trimJoiners(c.1))) }
        return out.filter { !$0.1.isEmpty || $0.0 == .buy }
    }

    /// Words after which a lead word starts a clause.
    static let boundaries: Set<String> = [",", "and", "or", "then", "but", "also", "plus", "with", "using", "set", "place", "add", "want", "i'd", "should"]

    /// The words joined, without trailing "and", "then", "but" or commas.
    static func trimJoiners(_ words: [String]) -> String {
        var w = words
        while let last = w.last, boundaries.contains(last.trimmingCharacters(in: .punctuationCharacters)) || last == "," {
            w.removeLast()
        }
        return w.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: ", "))
    }

    private mutating func read(_ clause: (intent: Intent, text: String), into r: inout Reading, filters: inout [JSONValue]) {
        let text = clause.text
        switch clause.intent {
        case .stop, .target, .trail:
            if let distance = Self.distance(text) {
                let key = clause.intent == .stop ? "stop_loss" : (clause.intent == .target ? "take_profit" : "trailing_stop")
                r.exits[key] = distance.value
                r.said.append("\(key.replacingOccurrences(of: "_", with: " ")) \(distance.words)")
            } else if !text.isEmpty {
                r.notUnderstood.append(text)
            }
        case .size, .risk:
            if let sizing = Self.sizing(text, risk: clause.intent == .risk) {
                r.sizing = sizing.value
                r.said.append("size: \(sizing.words)")
            } else if Self.mentionsTrading(text) {
                r.notUnderstood.append(text)
            }
        case .buy, .sell, .short, .cover, .onlyWhen, .notBuy:
            var body = text
            // "buy dips when …", "buy bitcoin if …": what comes before "when" names what is bought.
            if let range = body.range(of: #"(^| )(when|if|once|whenever|as soon as) "#, options: .regularExpression) {
                let object = body[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                body = String(body[range.upperBound...])
                if let sizing = Self.sizing(object, risk: false), object.range(of: #"\d"#, options: .regularExpression) != nil {
                    r.sizing = sizing.value
                    r.said.append("size: \(sizing.words)")
                } else if !object.isEmpty, Self.condition(object) != nil, !["dip", "dips"].contains(object) {
                    body = object + " and " + body
                }
            }
            for word in ["on", "at", "after"] where body.hasPrefix(word + " ") {
                body = String(body.dropFirst(word.count + 1))
                break
            }
            if body.isEmpty || body == "it" {
                // "sell" with nothing after: the opposite of the entry, filled in by the assistant.
                return
            }
            var conditions: [JSONValue] = []
            var words: [String] = []
            for var part in Self.conjuncts(body) {
                // "sell when it crosses above 70": "it" is what the last condition was about.
                if part.hasPrefix("it ") { part = subject + part.dropFirst(2) }
                // "the 50 crosses below the 200": the averages the description has been about.
                if let m = Self.match(part, "\(Self.num) \(Self.relation) \(Self.num)") { part = "\(m[0]) \(average) \(m[1]) \(m[2]) \(average)" }
                if let kind = part.firstMatch(of: /\b(sma|ema|wma)\b/) { average = String(kind.output.1) }
                if let range = part.range(of: #" (crosses above|crosses below|above|below|turns|touches|hits)"#, options: .regularExpression) {
                    subject = String(part[..<range.lowerBound])
                }
                if let c = Self.condition(part) {
                    conditions.append(c.value)
                    words.append(c.words)
                } else if !Self.isFiller(part) {
                    r.notUnderstood.append(part)
                }
            }
            guard !conditions.isEmpty else { return }
            let all = conditions.count == 1 ? conditions[0] : JSONValue.object(["and": .array(conditions)])
            let joined = words.joined(separator: " and ")
            switch clause.intent {
            case .buy:
                r.entryLong += conditions
                r.said.append("buy when \(joined)")
            case .sell:
                r.exitLong += conditions
                r.said.append("sell when \(joined)")
            case .short:
                r.entryShort += conditions
                r.said.append("sell short when \(joined)")
            case .cover:
                r.exitShort += conditions
                r.said.append("cover the short when \(joined)")
            case .onlyWhen:
                filters += conditions
                r.said.append("only when \(joined)")
            case .notBuy:
                filters.append(.object(["not": all]))
                r.said.append("not when \(joined)")
            default: break
            }
        }
    }

    /// Conditions joined by "and" (commas too), with "or" kept inside one.
    static func conjuncts(_ body: String) -> [String] {
        body.replacingOccurrences(of: ",", with: " and ").components(separatedBy: " and ")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func isFiller(_ text: String) -> Bool {
        ["it", "it happens", "that happens", "possible", "you can", "then", "the signal", "the opposite happens", "it reverses", "with", "out", "position", "trade"]
            .contains(text) || text.contains("chart") || text.hasSuffix(" bars") || timeframe(in: text) != nil && text.split(separator: " ").count <= 3
    }

    static func mentionsTrading(_ text: String) -> Bool {
        ["%", "percent", "share", "unit", "coin", "$", "dollar", "equity", "capital", "account"].contains { text.contains($0) }
    }

    // MARK: Words

    /// Lower case; spellings unified so the patterns stay few ("moving average" → "ma",
    /// "50-day" → "50", "%" kept, "crosses over" → "crosses above").
    static func normalize(_ text: String) -> String {
        var s = " " + text.lowercased() + " "
        let replacements: [(String, String)] = [
            ("’", "'"), ("‘", "'"), ("(", " "), (")", " "), ("%k", "k"), ("%", " % "), ("$", " $ "),
            ("simple moving average", "sma"), ("exponential moving average", "ema"), ("weighted moving average", "wma"), ("moving averages", "ma"),
            ("moving average", "ma"), ("relative strength index", "rsi"), ("bollinger bands", "band"), ("bollinger band", "band"), ("bands", "band"),
            ("stochastics", "stoch"), ("stochastic oscillator", "stoch"), ("stochastic", "stoch"), ("signal line", "signal"),
            ("crosses over", "crosses above"), ("cross over", "crosses above"), ("crossed above", "crosses above"), ("cross above", "crosses above"),
            ("crosses under", "crosses below"), ("cross under", "crosses below"), ("crossed below", "crosses below"), ("cross below", "crosses below"),
            ("goes above", "crosses above"), ("moves above", "crosses above"), ("rises above", "crosses above"), ("climbs above", "crosses above"),
            ("breaks above", "crosses above"), ("goes below", "crosses below"), ("moves below", "crosses below"), ("drops below", "crosses below"),
            ("falls below", "crosses below"), ("dips below", "crosses below"), ("breaks below", "crosses below"),
            ("greater than", "above"), ("higher than", "above"), ("more than", "above"), (" over ", " above "), ("less than", "below"),
            ("lower than", "below"), (" under ", " below "), (" > ", " above "), (" < ", " below "), ("is at or below", "below"), ("is at or above", "above"),
            (" back ", " "),
            ("-day", " "), ("-bar", " "), ("-period", " "), ("-week", " week"), (" day ", " "), (" days ", " "), (" bars ", " "), (" bar ", " "),
            (" period ", " "), (" periods ", " "), ("the price", "price"), ("the close", "close"), ("closing price", "close"), ("price closes", "close"),
            ("closes", "close"), ("a new", "the"), (" an ", " "), (" a ", " "), (" the ", " "), (" its ", " "), (" my ", " "), (" is ", " "),
            (" are ", " "), (" gets ", " "), (" reads ", " "), (" stays ", " "), (" trades ", " "), (" it's ", " "), (" of ", " "), (" per trade", ""),
            ("  ", " "),
        ]
        for (a, b) in replacements { s = s.replacingOccurrences(of: a, with: b) }
        while s.contains("  ") { s = s.replacingOccurrences(of: "  ", with: " ") }
        s = s.replacingOccurrences(of: " in uptrend", with: " and uptrend").replacingOccurrences(of: " in downtrend", with: " and downtrend")
        // "a 2 % stop loss", "3 atr trailing stop": the lead first, so the clause is cut there.
        s = s.replacingOccurrences(
            of: #"(\d+(?:\.\d+)?) ?(%|x atr|atr|atrs) (trailing stop|stop loss|stop|take profit|profit target|target)"#, with: ", $3 $1 $2",
            options: .regularExpression)
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// A symbol written in capitals (`BTC`, `AAPL`, `EUR/USD`, `ETHUSDT`), if any.
    static func symbol(in text: String) -> String? {
        let ignored: Set<String> = ["RSI", "MACD", "SMA", "EMA", "WMA", "MA", "ATR", "ADX", "I", "A", "USD", "K", "OK"]
        guard let regex = try? Regex(#"\b([A-Z]{2,6}(?:[/-][A-Z]{3,4})?)\b"#) else { return nil }
        for m in text.matches(of: regex) {
            let s = String(m.output[1].substring ?? "")
            if !ignored.contains(s) { return s }
        }
        return nil
    }

    /// A timeframe: "1 hour", "4h", "daily", "15 minute", "weekly" (as `1h`, `1d`, …), if any.
    static func timeframe(in text: String) -> String? {
        let named: [(String, String)] = [("daily", "1d"), ("weekly", "1w"), ("hourly", "1h"), ("1 minute", "1m"), ("one minute", "1m"), ("minute", "1m")]
        if let m = match(text, "(?:.* )?(\\d+) ?(m|min|mins|minute|minutes|h|hr|hour|hours|d)(?: .*)?") {
            let unit = m[1].hasPrefix("h") ? "h" : (m[1] == "d" ? "d" : "m")
            return "\(m[0])\(unit)"
        }
        return named.first { text.contains($0.0) }?.1
    }
}

extension Double {
    /// As people write it: `25`, `2.5`.
    var plain: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}

extension JSONValue {
    /// An object with `extra` members added.
    func merging(_ extra: [String: JSONValue]) -> JSONValue {
        guard case .object(var o) = self else { return self }
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }
}
