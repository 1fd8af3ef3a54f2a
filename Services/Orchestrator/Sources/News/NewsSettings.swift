import Foundation
import ServiceKit

/// The news agent's configuration (`news.*`). With no feed configured the agent abstains.
struct NewsSettings: Sendable {
    static let keys: Set<String> = [
        "news.feeds", "news.aliases", "news.cryptopanic_url", "news.cryptopanic_token_env", "news.cryptopanic_token_file", "news.poll_seconds",
        "news.max_age_minutes", "news.half_life_minutes", "news.sentiment",
    ]

    /// RSS 2.0 or Atom feeds, read whole; their items are matched to assets by words.
    var feeds: [URL] = []
    /// CryptoPanic's posts API, when a token is given.
    var cryptoPanic: (url: URL, token: String)?
    /// Words that tie a headline to an asset besides its ticker (`BTC` → `bitcoin`).
    var aliases: [String: [String]] = NewsSettings.standardAliases
    var pollInterval: Duration = .seconds(300)
    /// Older headlines have no weight; within it a headline's weight halves every `halfLife`.
    var maxAge: Duration = .seconds(6 * 3600)
    var halfLife: Duration = .seconds(2 * 3600)
    /// `auto` (the model when one is configured, else the lexicon), `lexicon` or `llm`.
    var sentiment = "auto"

    static let standardAliases: [String: [String]] = [
        "BTC": ["bitcoin"], "ETH": ["ethereum", "ether"], "SOL": ["solana"], "XRP": ["ripple"], "ADA": ["cardano"], "DOGE": ["dogecoin"],
        "BNB": ["binance coin"], "GOOG": ["google", "alphabet"], "AAPL": ["apple"], "MSFT": ["microsoft"], "AMZN": ["amazon"], "TSLA": ["tesla"],
        "NVDA": ["nvidia"], "EUR": ["euro", "ecb"], "USD": ["dollar", "federal reserve", "fed"], "GBP": ["sterling", "pound", "bank of england"],
        "JPY": ["yen", "bank of japan"], "XAU": ["gold"],
    ]

    var configured: Bool { !feeds.isEmpty || cryptoPanic != nil }

    static func read(
        _ v: ConfigValues, environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
    ) throws(ConfigError) -> NewsSettings {
        var s = NewsSettings()
        for text in v.string("news.feeds", default: "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw ConfigError(key: "news.feeds", message: "has \"\(text.prefix(60))\", which is not an http or https URL: give RSS or Atom feed URLs separated by commas")
            }
            s.feeds.append(url)
        }
        if let token = try v.secret(
            fileKey: "news.cryptopanic_token_file", variableKey: "news.cryptopanic_token_env", variable: "CRYPTOPANIC_API_TOKEN", environment: environment,
            readFile: readFile)
        {
            s.cryptoPanic = (try v.url("news.cryptopanic_url", default: "https://cryptopanic.com/api/developer/v2"), token)
        }
        for entry in v.string("news.aliases", default: "").split(separator: ";") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let asset = parts.first.map { $0.trimmingCharacters(in: .whitespaces).uppercased() } ?? ""
            let words = parts.count == 2 ? parts[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty } : []
            guard asset.range(of: #"^[A-Z0-9]{1,12}$"#, options: .regularExpression) != nil, !words.isEmpty else {
                throw ConfigError(key: "news.aliases", message: "has \"\(entry.prefix(60))\": write ASSET=word|word;… (e.g. BTC=bitcoin|btc;ETH=ethereum)")
            }
            s.aliases[asset] = words
        }
        s.pollInterval = .seconds(try v.int("news.poll_seconds", default: 300, range: 30...86_400))
        s.maxAge = .seconds(60 * (try v.int("news.max_age_minutes", default: 360, range: 5...10_080)))
        s.halfLife = .seconds(60 * (try v.int("news.half_life_minutes", default: 120, range: 1...10_080)))
        s.sentiment = try v.choice("news.sentiment", default: "auto", ["auto", "lexicon", "llm"])
        return s
    }
}
