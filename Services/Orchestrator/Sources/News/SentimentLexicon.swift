import Foundation

/// Scores a headline's sentiment from −1 (bad news) to +1 (good news) without a model: the
/// valence of its words from the VADER lexicon (Hutto and Gilbert, 2014; MIT licence, credited in
/// `SentimentLexicon+VADER.swift`), with Tradewind's own market vocabulary on top (VADER was made
/// for social media and knows neither "rally" nor "downgrade"). The rules are the usual
/// lexicon ones: a negation in the three words before flips and damps a word ("not approved"),
/// an intensifier before strengthens it ("sharply lower"), and the sum is squashed into −1…1 as
/// `s / √(s² + 15)` so one strong word does not read as certainty.
struct SentimentLexicon: Sendable {
    /// Valence by word (and by two-word phrase), −4…+4.
    let valence: [String: Double]

    /// The shared lexicon: VADER's words, then the market vocabulary (which wins where both rate a word).
    static let standard = SentimentLexicon()

    init() {
        var words: [String: Double] = [:]
        words.reserveCapacity(7_400)
        for line in Self.vaderWords.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            words[String(line[..<space])] = v
        }
        for (word, v) in Self.market { words[word] = v }
        valence = words
    }

    /// Words that flip what follows.
    static let negations: Set<String> = [
        "not", "no", "never", "neither", "nor", "without", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "won't", "can't",
        "cannot", "couldn't", "shouldn't", "hasn't", "haven't", "fails", "failed", "denies", "denied", "rejects", "rejected",
    ]
    /// Words that strengthen what follows.
    static let intensifiers: Set<String> = [
        "very", "sharply", "significantly", "hugely", "massive", "massively", "huge", "extremely", "strongly", "deeply", "record", "steep", "steeply",
        "big", "major", "heavy", "heavily",
    ]

    /// The market vocabulary (Tradewind's ratings on VADER's −4…+4 scale).
    static let market: [String: Double] = [
        "rally": 2.2, "rallies": 2.2, "rallied": 2.2, "surge": 2.4, "surges": 2.4, "surged": 2.4, "soar": 2.6, "soars": 2.6, "soared": 2.6,
        "jump": 1.6, "jumps": 1.6, "jumped": 1.6, "climb": 1.4, "climbs": 1.4, "climbed": 1.4, "rise": 1.2, "rises": 1.2, "rose": 1.2,
        "gains": 1.8, "gained": 1.8, "rebound": 1.6, "rebounds": 1.6, "recover": 1.4, "recovers": 1.4, "recovery": 1.4, "bullish": 2.6,
        "bull": 1.6, "breakout": 1.8, "upgrade": 2.2, "upgrades": 2.2, "upgraded": 2.2, "outperform": 1.8, "outperforms": 1.8, "beats": 1.8,
        "approval": 2.0, "approve": 2.0, "approves": 2.0, "approved": 2.0, "adoption": 1.6, "inflows": 1.6, "inflow": 1.6, "partnership": 1.4, "launches": 0.8,
        "record-high": 2.4, "all-time": 1.0, "profit": 1.8, "profits": 1.8, "dividend": 1.0, "buyback": 1.4, "easing": 1.0,
        "plunge": -2.8, "plunges": -2.8, "plunged": -2.8, "crash": -3.0, "crashes": -3.0, "crashed": -3.0, "tumble": -2.4, "tumbles": -2.4,
        "tumbled": -2.4, "slump": -2.2, "slumps": -2.2, "slumped": -2.2, "sink": -1.8, "sinks": -1.8, "sank": -1.8, "drop": -1.4, "drops": -1.4,
        "dropped": -1.4, "fall": -1.4, "falls": -1.4, "fell": -1.4, "slide": -1.4, "slides": -1.4, "decline": -1.4, "declines": -1.4,
        "selloff": -2.4, "sell-off": -2.4, "bearish": -2.6, "bear": -1.6, "downgrade": -2.2, "downgrades": -2.2, "downgraded": -2.2,
        "underperform": -1.8, "misses": -1.8, "hack": -3.0, "hacked": -3.0, "exploit": -2.6, "exploited": -2.6, "breach": -2.6, "lawsuit": -2.0,
        "sues": -2.0, "sued": -2.0, "probe": -1.6, "investigation": -1.6, "subpoena": -2.0, "charges": -1.4, "charged": -1.6, "ban": -2.6,
        "bans": -2.6, "banned": -2.6, "crackdown": -2.4, "outflows": -1.6, "outflow": -1.6, "liquidation": -2.2, "liquidations": -2.2,
        "bankruptcy": -3.2, "bankrupt": -3.2, "insolvent": -3.0, "insolvency": -3.0, "default": -2.6, "delisted": -2.6, "delist": -2.4,
        "halts": -1.8, "halted": -1.8, "recession": -2.6, "layoffs": -2.0, "inflation": -1.0, "tightening": -1.2, "volatility": -0.6,
        "rate cut": 1.6, "rate hike": -1.6, "all-time high": 2.6, "record high": 2.6, "record low": -2.4, "beats estimates": 2.4,
        "misses estimates": -2.4, "price target": 0.0,
    ]

    /// The sentiment of `text`, −1…1 (0: nothing the lexicon knows).
    func score(_ text: String) -> Double {
        let tokens = Self.tokens(text)
        var sum = 0.0
        var i = 0
        while i < tokens.count {
            var v: Double?
            var width = 1
            if i + 1 < tokens.count, let phrase = valence[tokens[i] + " " + tokens[i + 1]] {
                v = phrase
                width = 2
            } else {
                v = valence[tokens[i]]
            }
            if var v, v != 0 {
                let before = tokens[max(0, i - 3)..<i]
                if before.contains(where: Self.negations.contains) { v *= -0.74 }
                if let last = before.last, Self.intensifiers.contains(last) { v += v > 0 ? 0.3 : -0.3 }
                sum += v
            }
            i += width
        }
        return sum / (sum * sum + 15).squareRoot()
    }

    /// Lower-case words, apostrophes and hyphens kept inside them.
    static func tokens(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0 == "'" || $0 == "-" || $0 == "’") }
            .map { $0.replacingOccurrences(of: "’", with: "'").trimmingCharacters(in: CharacterSet(charactersIn: "'-")) }
            .filter { !$0.isEmpty }
    }
}
