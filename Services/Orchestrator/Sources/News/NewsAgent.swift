import Foundation
import LanguageModels
import Logging
import RPC
import ServiceKit
import Strategies
import TradingCore

/// The `news` agent: polls its feeds in the background for the assets bots ask about, scores each
/// new headline's sentiment once (by the model when one is configured and allowed, else by the
/// lexicon), and votes from the headlines about a bar's asset published before its close and
/// within `news.max_age_minutes`, each weighed by its age (halving every
/// `news.half_life_minutes`): stale news has no weight. No network call is made while a bot
/// decides; a feed that is down costs a log line when it goes and one when it comes back.
public actor NewsAgent {
    /// A headline with its sentiment (−1…1), what scored it, and the watched assets it is about.
    struct Scored: Sendable {
        var item: NewsItem
        var sentiment: Double
        var scoredBy: String
        var about: Set<String> = []
    }

    let settings: NewsSettings
    let feeds: [any NewsFeed]
    /// Scores headlines when `news.sentiment` allows it; nil: the lexicon does.
    let model: LanguageModel?
    let logger: Logger
    private let lexicon = SentimentLexicon.standard
    private var watched: Set<String> = []
    private var scored: [String: Scored] = [:]
    private var polled = false
    private var polling = false
    /// Feeds that failed, with the error (logged once), and when a throttled one may be asked again.
    private var down: [String: String] = [:]
    private var resumeAt: [String: ContinuousClock.Instant] = [:]
    private var modelDown = false
    /// Asks the polling loop for a round now (an asset newly watched).
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// Most headlines kept (the newest).
    static let capacity = 5_000

    /// The agent over the configured feeds (or `feeds`), scoring with `model` when the settings allow.
    init(settings: NewsSettings, model: LanguageModel?, logger: Logger, feeds: [any NewsFeed]? = nil) {
        self.settings = settings
        self.model = settings.sentiment == "lexicon" ? nil : model
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.feeds =
            feeds
            ?? settings.feeds.map { SyndicationFeed(url: $0) } + (settings.cryptoPanic.map { [CryptoPanicFeed(baseURL: $0.url, token: $0.token)] } ?? [])
    }

    /// The asset a symbol's news is about: its base (`BTC/USDT`, `BTCUSDT`, `EUR_USD` → `BTC`,
    /// `BTC`, `EUR`; `GOOG` → `GOOG`).
    static func asset(of symbol: String) -> String {
        let upper = symbol.uppercased()
        if let cut = upper.firstIndex(where: { "/_-:".contains($0) }) { return String(upper[..<cut]) }
        for quote in ["USDT", "USDC", "BUSD", "FDUSD", "USD", "EUR", "BTC"] where upper.hasSuffix(quote) && upper.count > quote.count + 1 {
            return String(upper.dropLast(quote.count))
        }
        return upper
    }

    /// The vote on `symbol` for a bar closing at `closeNs`; the asset is watched from now on (the
    /// polling loop reads the feeds for it at once).
    public func vote(symbol: String, closeNs: Int64) -> AgentOpinion {
        guard !feeds.isEmpty else { return Self.abstain("not_configured", "no news feed is configured (news.feeds, news.cryptopanic_token_env)") }
        let asset = Self.asset(of: symbol)
        if watched.insert(asset).inserted {
            for (id, s) in scored where matches(s.item, asset) { scored[id]?.about.insert(asset) }
            wake.yield()
        }
        guard polled else { return Self.abstain("no_news", "the feeds have not been read yet") }
        let maxAge = Double(settings.maxAge.nanoseconds), halfLife = Double(settings.halfLife.nanoseconds)
        var weighed: [(scored: Scored, weight: Double)] = []
        for s in scored.values where s.about.contains(asset) && s.item.publishedNs <= closeNs && Double(closeNs - s.item.publishedNs) <= maxAge {
            weighed.append((s, pow(0.5, Double(closeNs - s.item.publishedNs) / halfLife)))
        }
        let hours = (maxAge / 3.6e12).shown
        guard !weighed.isEmpty else { return Self.abstain("no_news", "no headline about \(asset) in the last \(hours) h") }
        let mass = weighed.reduce(0) { $0 + $1.weight }
        let mean = weighed.reduce(0) { $0 + $1.scored.sentiment * $1.weight } / mass
        // Two fresh headlines are enough evidence; a mean of ±0.5 is full strength.
        let evidence = min(1, mass / 2)
        let strongest = weighed.max { abs($0.scored.sentiment) * $0.weight < abs($1.scored.sentiment) * $1.weight }!.scored
        let said =
            "\(weighed.count) headline\(weighed.count == 1 ? "" : "s") about \(asset) in the last \(hours) h, weighted sentiment \(mean.shown) (\(strongest.scoredBy)); strongest: “\(strongest.item.title.prefix(120))” (\(strongest.item.source))"
        guard abs(mean) >= 0.05 else { return AgentOpinion(action: .hold, confidence: 0.5 * evidence, reasoning: "mixed or neutral news: " + said) }
        return AgentOpinion(action: mean > 0 ? .buy : .sell, confidence: min(1, abs(mean) / 0.5) * evidence, reasoning: said)
    }

    static func abstain(_ code: String, _ why: String) -> AgentOpinion {
        AgentOpinion(action: .hold, confidence: 0, reasoning: "abstains (\(code)): \(why)")
    }

    /// Whether `item` is about `asset`: tagged with it by the feed, or naming it (its ticker of
    /// three letters or more, or one of its aliases) as a word.
    func matches(_ item: NewsItem, _ asset: String) -> Bool {
        if item.assets.contains(asset) { return true }
        let words = " " + SentimentLexicon.tokens(item.title + " " + item.summary).joined(separator: " ") + " "
        if asset.count >= 3, words.contains(" \(asset.lowercased()) ") { return true }
        return (settings.aliases[asset] ?? []).contains { words.contains(" \($0) ") }
    }

    /// Polls every feed every `news.poll_seconds`, and at once when an asset is newly watched,
    /// until cancelled.
    public func run() async {
        guard !feeds.isEmpty else { return }
        let (wake, interval) = (self.wake, settings.pollInterval)
        wake.yield()
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    wake.yield()
                }
            }
            for await _ in wakes { await poll() }
            group.cancelAll()
        }
    }

    /// One round: every feed read (those throttled skipped), new headlines scored and kept.
    func poll() async {
        guard !watched.isEmpty, !polling else { return }
        polling = true
        defer { polling = false }
        let assets = watched.sorted()
        var fresh: [NewsItem] = []
        for feed in feeds {
            if let resume = resumeAt[feed.name], resume > .now { continue }
            do {
                fresh += try await feed.fetch(assets: assets)
                if down.removeValue(forKey: feed.name) != nil { logger.notice("news feed is back", metadata: ["feed": "\(feed.name)"]) }
            } catch {
                if down[feed.name] == nil { logger.warning("news feed cannot be read; the news agent votes on the others meanwhile", metadata: ["feed": "\(feed.name)", "error": "\(error.message)"]) }
                down[feed.name] = error.message
                if let wait = error.retryAfter { resumeAt[feed.name] = .now + wait }
            }
        }
        await ingest(fresh)
    }

    /// Keeps the headlines of `items` not seen before and not stale, scored, with the watched
    /// assets each is about; drops those gone stale; the newest `capacity` kept.
    func ingest(_ items: [NewsItem]) async {
        let oldest = WallClock.nowNs - settings.maxAge.nanoseconds
        var seen = Set(scored.keys)
        let new = items.filter { $0.publishedNs >= oldest && seen.insert($0.id).inserted }
        for var s in await score(new) {
            s.about = watched.filter { matches(s.item, $0) }
            scored[s.item.id] = s
        }
        scored = scored.filter { $0.value.item.publishedNs >= oldest }
        if scored.count > Self.capacity {
            let keep = scored.values.sorted { $0.item.publishedNs > $1.item.publishedNs }.prefix(Self.capacity)
            scored = Dictionary(uniqueKeysWithValues: keep.map { ($0.item.id, $0) })
        }
        polled = true
    }

    /// Sentiments for `items`: by the model, twenty at a time, where it answers; by the lexicon otherwise.
    func score(_ items: [NewsItem]) async -> [Scored] {
        var out = items.map { Scored(item: $0, sentiment: lexicon.score($0.title + ". " + $0.summary), scoredBy: "lexicon") }
        guard let model, !items.isEmpty else { return out }
        for start in stride(from: 0, to: out.count, by: 20) {
            let batch = Array(start..<min(out.count, start + 20))
            let lines = batch.enumerated().map { "\($0.offset + 1). \(out[$0.element].item.title.prefix(300))" }
            do {
                let answer = try await model.ask(Self.request(lines.joined(separator: "\n")), user: "news")
                if modelDown {
                    modelDown = false
                    logger.notice("the model scores headlines again")
                }
                for entry in answer.response.structured?["scores"]?.array ?? [] {
                    guard let n = entry["n"]?.integer, (1...batch.count).contains(n), let v = entry["sentiment"]?.number, v.isFinite else { continue }
                    out[batch[n - 1]].sentiment = max(-1, min(1, v))
                    out[batch[n - 1]].scoredBy = model.name
                }
            } catch {
                if !modelDown { logger.warning("the model cannot score headlines; the lexicon does meanwhile", metadata: ["error": "\(error.message)"]) }
                modelDown = true
            }
        }
        return out
    }

    static let system = """
        You rate market news headlines. For each numbered headline give its sentiment for the price of \
        the asset it is about, from -1 (clearly bad news for the price) through 0 (neutral or unclear) to \
        1 (clearly good news). Judge only the headline; do not guess at prices.
        """

    static let schema = try! JSONValue(
        parsing: #"{"type":"object","properties":{"scores":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer","description":"the headline's number"},"sentiment":{"type":"number","description":"-1 to 1"}},"required":["n","sentiment"],"additionalProperties":false}}},"required":["scores"],"additionalProperties":false}"#
    )

    static func request(_ headlines: String) -> LLMRequest {
        LLMRequest(system: system, messages: [.user(headlines)], responseSchema: schema, schemaName: "sentiments", maxOutputTokens: 600, temperature: 0, purpose: "news")
    }
}
