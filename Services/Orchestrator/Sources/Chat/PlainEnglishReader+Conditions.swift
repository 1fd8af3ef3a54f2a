import Foundation
import Strategies

/// The patterns a condition, a distance and a size are read by, in the order they are tried.
extension PlainEnglishReader {
    static func number(_ text: Substring) -> Double? { Double(text) }

    static func match(_ text: String, _ pattern: String) -> [Substring]? {
        guard let regex = try? Regex("^" + pattern + "$"), let m = try? regex.wholeMatch(in: text) else { return nil }
        return (1..<m.output.count).map { m.output[$0].substring ?? "" }
    }

    static func indicator(_ name: String, _ period: Double) -> JSONValue {
        .object(["indicator": .string(name), "period": .number(period)])
    }

    static func average(kind: Substring, period: Double) -> (JSONValue, String) {
        let name = kind == "ema" ? "ema" : (kind == "wma" ? "wma" : "sma")
        return (indicator(name, period), "the \(Int(period))-bar \(name.uppercased())")
    }

    static func compare(_ left: JSONValue, _ op: String, _ right: JSONValue) -> JSONValue {
        .object(["left": left, "op": .string(op), "right": right])
    }

    static func op(_ word: Substring) -> (String, String) {
        switch word {
        case "crosses above": ("crosses_above", "crosses above")
        case "crosses below": ("crosses_below", "crosses below")
        case "above": (">", "is above")
        default: ("<", "is below")
        }
    }

    static let ma = #"(sma|ema|wma|ma)"#
    static let num = #"(\d+(?:\.\d+)?)"#
    static let relation = #"(crosses above|crosses below|above|below)"#

    /// One condition and its words, or nil when no pattern reads it.
    static func condition(_ raw: String) -> (value: JSONValue, words: String)? {
        let t = raw.trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        // Golden and death crosses: the 50-bar SMA against the 200-bar.
        if t.contains("golden cross") {
            return (compare(indicator("sma", 50), "crosses_above", indicator("sma", 200)), "the 50-bar SMA crosses above the 200-bar SMA")
        }
        if t.contains("death cross") {
            return (compare(indicator("sma", 50), "crosses_below", indicator("sma", 200)), "the 50-bar SMA crosses below the 200-bar SMA")
        }
        // "50 sma crosses above 200 sma", "ema 9 crosses above ema 21", "50 ma crosses above 200".
        if let m = match(t, "\(num) \(ma) \(relation) \(num)(?: \(ma))?") ?? match(t, "\(ma) \(num) \(relation) (?:\(ma) )?\(num)").map({ [$0[1], $0[0], $0[2], $0[4], $0[3]] }),
            let a = number(m[0]), let b = number(m[3])
        {
            let kind = m[1] == "ma" && !m[4].isEmpty ? m[4] : m[1]
            let (left, leftWords) = average(kind: kind, period: a)
            let (right, rightWords) = average(kind: m[4].isEmpty ? kind : m[4], period: b)
            let (o, w) = op(m[2])
            return (compare(left, o, right), "\(leftWords) \(w) \(rightWords)")
        }
        // "fast ma crosses above slow ma" with periods: "10 and 30 ma cross"
        if let m = match(t, "(?:price|close)(?: close)? \(relation) \(num) \(ma)") ?? match(t, "(?:price|close)(?: close)? \(relation) \(ma) \(num)").map({ [$0[0], $0[2], $0[1]] }),
            let n = number(m[1])
        {
            let (avg, words) = average(kind: m[2], period: n)
            let (o, w) = op(m[0])
            return (compare(.string("close"), o, avg), "the close \(w) \(words)")
        }
        if let m = match(t, "(?:price|close)(?: close)? \(relation) (?:[$] )?\(num)"), let level = number(m[1]) {
            let (o, w) = op(m[0])
            return (compare(.string("close"), o, .number(level)), "the close \(w) \(level.plain)")
        }
        if let m = match(t, "(?:price|close)(?: close)? \(relation) \(ma)") {
            // An average without a period: the usual 200-bar trend line.
            let (avg, words) = average(kind: m[1], period: 200)
            let (o, w) = op(m[0])
            return (compare(.string("close"), o, avg), "the close \(w) \(words)")
        }
        // RSI: "rsi 14 crosses below 30", "rsi below 25", "2 rsi below 10".
        if let m = match(t, "(?:\(num) )?rsi(?: \(num))? \(relation) \(num)"), let level = number(m[3]) {
            let period = number(m[1]) ?? number(m[0]) ?? 14
            let (o, w) = op(m[2])
            return (compare(indicator("rsi", period), o, .number(level)), "RSI(\(Int(period))) \(w) \(level.plain)")
        }
        if let m = match(t, "rsi(?: \(num))? (oversold|overbought)") {
            let period = number(m[0]) ?? 14
            let over = m[1] == "overbought"
            return (compare(indicator("rsi", period), over ? ">" : "<", .number(over ? 70 : 30)), "RSI(\(Int(period))) \(over ? "is above 70" : "is below 30")")
        }
        // MACD.
        if let m = match(t, "macd \(relation) signal") {
            let (o, w) = op(m[0])
            return (compare(macd("macd"), o == ">" ? "crosses_above" : (o == "<" ? "crosses_below" : o), macd("signal")), "MACD \(w) its signal line")
        }
        if let m = match(t, "macd(?: line)? \(relation) (?:zero|0)") {
            let (o, w) = op(m[0])
            return (compare(macd("macd"), o, .number(0)), "MACD \(w) zero")
        }
        if let m = match(t, "macd histogram (?:turns )?(positive|negative)") {
            let up = m[0] == "positive"
            return (compare(macd("hist"), up ? "crosses_above" : "crosses_below", .number(0)), "the MACD histogram turns \(m[0])")
        }
        // Bollinger.
        if let m = match(t, "(?:(?:price|close)(?: close)? )?(?:(crosses above|crosses below|above|below) |(?:touches|hits|reaches|at) )?(lower|upper|middle) band") {
            let band = String(m[1])
            let relation = m[0].isEmpty ? (band == "lower" ? "below" : "above") : m[0]
            let (o, w) = op(relation)
            return (compare(.string("close"), o, bollinger(band)), "the close \(w) the \(band) Bollinger band")
        }
        // Stochastic, ADX.
        if let m = match(t, "stoch(?: k)? \(relation) \(num)"), let level = number(m[1]) {
            let (o, w) = op(m[0])
            return (compare(.object(["indicator": "stoch", "output": "slowk"]), o, .number(level)), "the stochastic %K \(w) \(level.plain)")
        }
        if let m = match(t, "adx(?: \(num))? \(relation) \(num)"), let level = number(m[2]) {
            let period = number(m[0]) ?? 14
            let (o, w) = op(m[1])
            return (compare(indicator("adx", period), o, .number(level)), "ADX(\(Int(period))) \(w) \(level.plain)")
        }
        if t == "trend strong" || t == "strong trend" || t == "trending" {
            return (compare(indicator("adx", 14), ">", .number(25)), "ADX(14) is above 25")
        }
        // Breakouts: "price crosses above 20 high", "breaks out to 20 high", "20 high".
        if let m = match(t, "(?:price |close )?(?:crosses above|crosses below|breakout(?: above| below)?|breaks out(?: to| above)?|breaks|makes|hits|close above|close below|above|below|at)? ?\(num) (high|low)"),
            let n = number(m[0])
        {
            let high = m[1] == "high"
            let extreme: JSONValue = .object([high ? "highest" : "lowest": .string(high ? "high" : "low"), "bars": .number(n)])
            let previous: JSONValue = .object(["ago": extreme, "bars": .number(1)])
            return (compare(.string("close"), high ? ">" : "<", previous), "the close breaks \(high ? "above" : "below") the \(Int(n))-bar \(m[1])")
        }
        // Volume.
        if let m = match(t, "volume \(relation) (?:\(num) )?average"), case let n = number(m[1]) ?? 20 {
            let (o, w) = op(m[0])
            return (compare(.string("volume"), o, indicator("sma", n).merging(["source": .string("volume")])), "volume \(w) its \(Int(n))-bar average")
        }
        if t == "volume high" || t == "volume spikes" || t == "high volume" {
            return (compare(.string("volume"), ">", .object(["left": indicator("sma", 20).merging(["source": .string("volume")]), "op": "*", "right": .number(1.5)])), "volume is above 1.5× its 20-bar average")
        }
        // Volatility: ATR(14) against 3 % of the price.
        if t.contains("volatility") || t.contains("volatile") {
            let high = t.contains("high") || t.contains("too volatile") || t == "volatile" || t.contains("above")
            let atrShare: JSONValue = .object(["left": indicator("atr", 14), "op": "/", "right": "close"])
            return (compare(atrShare, high ? ">" : "<", .number(0.03)), "volatility is \(high ? "high" : "low") (ATR(14) \(high ? "above" : "below") 3% of the price)")
        }
        // Trends.
        if t.contains("uptrend") || t == "trend up" || t == "trending up" || t == "bull market" {
            return (compare(.string("close"), ">", indicator("sma", 200)), "the close is above the 200-bar SMA (an uptrend)")
        }
        if t.contains("downtrend") || t == "trend down" || t == "trending down" || t == "bear market" {
            return (compare(.string("close"), "<", indicator("sma", 200)), "the close is below the 200-bar SMA (a downtrend)")
        }
        // The dip: a short-term RSI washout.
        if t == "dip" || t == "dips" || t.hasSuffix(" dip") || t == "dips in uptrend" {
            return (compare(indicator("rsi", 2), "<", .number(10)), "RSI(2) is below 10 (a dip)")
        }
        // "price rises 3 %": the close above the last one by that much.
        if let m = match(t, "(?:price|close) (rises|falls|drops|gains|jumps|up|down) \(num) %(?: .*)?"), let pct = number(m[1]) {
            let up = ["rises", "gains", "jumps", "up"].contains(m[0])
            let threshold: JSONValue = .object(["left": .object(["ago": "close", "bars": .number(1)]), "op": "*", "right": .number(1 + (up ? pct : -pct) / 100)])
            return (compare(.string("close"), up ? ">" : "<", threshold), "the close is \(pct.plain)% \(up ? "above" : "below") the last close")
        }
        return nil
    }

    static func macd(_ output: String) -> JSONValue { .object(["indicator": "macd", "output": .string(output)]) }

    static func bollinger(_ output: String) -> JSONValue {
        .object(["indicator": "bbands", "period": 20, "nbdevup": 2, "nbdevdn": 2, "output": .string(output)])
    }

    /// A stop, target or trailing distance: "2 %", "2 atr", "at 3 x atr".
    static func distance(_ text: String) -> (value: JSONValue, words: String)? {
        let t = text.replacingOccurrences(of: "times", with: "x").replacingOccurrences(of: "loss", with: "")
        for pattern in ["(?:.* )?\(num) ?(?:x )?atrs?(?: .*)?", "(?:.* )?atrs? ?(?:x )?\(num)(?: .*)?"] {
            if let m = match(t.trimmingCharacters(in: .whitespaces), pattern), let n = number(m[0]) {
                return (.object(["atr": .number(n), "period": 14]), "at \(n.plain) ATR(14)")
            }
        }
        if let m = match(t.trimmingCharacters(in: .whitespaces), "(?:.* )?\(num) (?:%|percent)(?: .*)?"), let n = number(m[0]) {
            return (.object(["percent": .number(n)]), "at \(n.plain)%")
        }
        return nil
    }

    /// The size: "1 % of equity", "10 % of capital", "100 shares", "$ 500".
    static func sizing(_ text: String, risk: Bool) -> (value: JSONValue, words: String)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let m = match(t, "(?:.* )?\\$ \(num)(?: .*)?") ?? match(t, "(?:.* )?\(num) (?:dollars|usd|usdt)(?: .*)?"), let n = number(m[0]) {
            return (.object(["model": "fixed_cash", "amount": .number(n)]), "$\(n.plain) per trade")
        }
        if let m = match(t, "(?:.* )?\(num) (?:shares|units|coins|contracts|lots)(?: .*)?"), let n = number(m[0]) {
            return (.object(["model": "fixed_quantity", "quantity": .number(n)]), "\(n.plain) units per trade")
        }
        if let m = match(t, "(?:.* )?\(num) (?:%|percent)(?: .*)?"), let n = number(m[0]) {
            // Risking a share of equity is a risk-based size; using one is a share of equity.
            if risk || t.contains("risk") {
                return (.object(["model": "risk_percent", "percent": .number(n)]), "risk \(n.plain)% of equity per trade")
            }
            return (.object(["model": "percent_equity", "percent": .number(n)]), "\(n.plain)% of equity per trade")
        }
        if t.contains("all in") || t.contains("everything") || t.contains("whole account") {
            return (.object(["model": "all_in"]), "all the cash")
        }
        return nil
    }
}
