import Foundation
import LanguageModels
import Logging
import ServiceKit
import ServiceKitTesting
import Strategies
import Testing
import TradingCore

@testable import OrchestratorService

/// The news agent against local servers speaking RSS 2.0 (rssboard.org/rss-specification), Atom
/// (RFC 4287) and CryptoPanic's posts API: feeds read, headlines matched to assets, stale news
/// weightless, sentiment by the lexicon or a model, outages logged once, tokens never shown.
@Suite("News agent")
struct NewsAgentTests {
    static let second: Int64 = 1_000_000_000

    /// An RFC 822 date `ago` seconds before now, as RSS writes them.
    static func rfc822(_ ago: Int64) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return format.string(from: Date(timeIntervalSinceNow: -Double(ago)))
    }

    static func rss(_ items: [(title: String, ago: Int64)]) -> String {
        let body = items.enumerated().map { i, item in
            """
                  <item>
                     <title>\(item.title)</title>
                     <link>https://news.example/\(i)</link>
                     <description><![CDATA[<p>Read <b>more</b> &amp; more.</p>]]></description>
                     <pubDate>\(rfc822(item.ago))</pubDate>
                     <guid>https://news.example/\(i)</guid>
                  </item>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0"?>
            <rss version="2.0">
               <channel>
                  <title>Markets Wire</title>
                  <link>https://news.example/</link>
                  <description>Market news.</description>
            \(body)
               </channel>
            </rss>
            """
    }

    static func xml(_ body: String, status: Int = 200, headers: [String] = []) -> [ScriptedHTTPServer.Step] {
        let reason = status == 200 ? "OK" : status == 429 ? "Too Many Requests" : "Service Unavailable"
        let head = (["HTTP/1.1 \(status) \(reason)", "Content-Type: application/rss+xml; charset=utf-8", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers)
        return [.send(head.joined(separator: "\r\n") + "\r\n\r\n" + body)]
    }

    @Test func rssAndAtomAreRead() throws {
        let rss = try SyndicationFeed.parse(Array(Self.rss([("Bitcoin &amp; ether rally", 60)]).utf8), source: "news.example")
        #expect(rss.count == 1)
        #expect(rss[0].title == "Bitcoin & ether rally" && rss[0].summary == "Read more & more." && rss[0].id == "https://news.example/0")
        #expect(abs(rss[0].publishedNs - (WallClock.nowNs - 60 * Self.second)) < 5 * Self.second)
        // RFC 4287 §1.1's example.
        let atom = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>Example Feed</title>
              <link href="http://example.org/"/>
              <updated>2003-12-13T18:30:02Z</updated>
              <author>
                <name>John Doe</name>
              </author>
              <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
              <entry>
                <title>Atom-Powered Robots Run Amok</title>
                <link href="http://example.org/2003/12/13/atom03"/>
                <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
                <updated>2003-12-13T18:30:02Z</updated>
                <summary>Some text.</summary>
              </entry>
            </feed>
            """
        let entries = try SyndicationFeed.parse(Array(atom.utf8), source: "example.org")
        #expect(entries.count == 1)
        #expect(entries[0].title == "Atom-Powered Robots Run Amok" && entries[0].link == "http://example.org/2003/12/13/atom03")
        #expect(entries[0].id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a" && entries[0].summary == "Some text.")
        #expect(entries[0].publishedNs == 1_071_340_202 * Self.second)
        // Not XML, and XML that is no feed: errors that say where and what.
        #expect { try SyndicationFeed.parse(Array("<rss><channel><item></channel></rss>".utf8), source: "x") } throws: { error in
            (error as? NewsFeedError)?.message.contains("is not well-formed XML at line 1") == true
        }
        #expect { try SyndicationFeed.parse(Array("<html><body/></html>".utf8), source: "x") } throws: { error in
            (error as? NewsFeedError)?.message.contains("root element is <html>") == true
        }
    }

    @Test func feedDates() {
        #expect(FeedDates.parse("Sat, 07 Sep 2002 00:00:01 GMT") == 1_031_356_801 * Self.second)
        #expect(FeedDates.parse("07 Sep 2002 00:00 GMT") == 1_031_356_800 * Self.second)
        #expect(FeedDates.parse("Sat, 07 Sep 2002 02:00:01 +0200") == 1_031_356_801 * Self.second)
        #expect(FeedDates.parse("Fri, 06 Sep 2002 20:00:01 EDT") == 1_031_356_801 * Self.second)
        #expect(FeedDates.parse("2002-09-07T02:00:01.5+02:00") == 1_031_356_801 * Self.second + Self.second / 2)
        #expect(FeedDates.parse("Sat, 07 Sep 2002 00:00:01 XYZ") == nil)
        #expect(FeedDates.parse("yesterday") == nil)
        #expect(FeedDates.parse("Sat, 32 Sep 2002 00:00:01 GMT") == nil)
    }

    @Test func theLexiconReadsMarketHeadlines() {
        let lexicon = SentimentLexicon.standard
        #expect(lexicon.valence.count > 7_000)
        #expect(lexicon.score("Bitcoin surges to a record high as ETF approved") > 0.4)
        #expect(lexicon.score("Exchange hacked, funds stolen; bitcoin plunges") < -0.4)
        #expect(lexicon.score("SEC does not approve the bitcoin ETF") < 0)
        #expect(lexicon.score("Bitcoin sharply lower") < lexicon.score("Bitcoin lower"))
        #expect(lexicon.score("Bitcoin trades at 60,000 dollars") == 0)
        #expect(abs(lexicon.score("great great great great great great great great")) < 1)
    }

    @Test func theAgentVotesOnFreshHeadlinesAboutTheAsset() async throws {
        let feed = Self.rss([
            ("Bitcoin surges as ETF inflows hit a record", 30 * 60), ("Analysts upgrade outlook for bitcoin miners", 60 * 60),
            ("Ethereum plunges after exchange hack", 20 * 60), ("Bitcoin crashes, liquidations soar", 10 * 3600),
        ])
        try await ScriptedHTTPServer.with({ _, _ in Self.xml(feed) }) { port, server in
            let agent = NewsAgent(
                settings: NewsSettings(), model: nil, logger: Logger(label: "news"),
                feeds: [SyndicationFeed(url: URL(string: "http://127.0.0.1:\(port)/markets/rss.xml?lang=en")!)])
            let first = await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs)
            #expect(first.confidence == 0 && first.reasoning.contains("not been read yet"))
            await agent.poll()
            #expect(server.requests.first?.target == "/markets/rss.xml?lang=en")
            let btc = await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs)
            // The crash ten hours ago is past the six-hour limit: it weighs nothing.
            #expect(btc.action == .buy && btc.confidence > 0.3, "\(btc)")
            #expect(btc.reasoning.hasPrefix("2 headlines about BTC in the last 6.0 h") && btc.reasoning.contains("(lexicon)"), "\(btc.reasoning)")
            // ETH is asked for from now on; the next round brings its headline in.
            _ = await agent.vote(symbol: "ETHUSDT", closeNs: WallClock.nowNs)
            await agent.poll()
            let eth = await agent.vote(symbol: "ETHUSDT", closeNs: WallClock.nowNs)
            #expect(eth.action == .sell && eth.reasoning.contains("Ethereum plunges"), "\(eth)")
            let sol = await agent.vote(symbol: "SOL/USDT", closeNs: WallClock.nowNs)
            #expect(sol.confidence == 0 && sol.reasoning.contains("no headline about SOL"))
            // A bar that closed before the headlines were out does not see them.
            let earlier = await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs - 2 * 3600 * Self.second)
            #expect(earlier.confidence == 0 && earlier.reasoning.contains("no headline"), "\(earlier)")
        }
    }

    @Test func aMovedFeedIsFollowed() async throws {
        try await ScriptedHTTPServer.with({ request, _ in
            switch request.target {
            case "/old.xml": [.send("HTTP/1.1 301 Moved Permanently\r\nLocation: /new/feed.xml?v=2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
            case "/loop.xml": [.send("HTTP/1.1 302 Found\r\nLocation: /loop.xml\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
            default: Self.xml(Self.rss([("Bitcoin rallies", 60)]))
            }
        }) { port, server in
            let moved = try await SyndicationFeed(url: URL(string: "http://127.0.0.1:\(port)/old.xml")!).fetch(assets: [])
            #expect(moved.map(\.title) == ["Bitcoin rallies"] && server.requests.map(\.target) == ["/old.xml", "/new/feed.xml?v=2"])
            await #expect { try await SyndicationFeed(url: URL(string: "http://127.0.0.1:\(port)/loop.xml")!).fetch(assets: []) } throws: { error in
                (error as? NewsFeedError)?.message == "redirected more than 3 times"
            }
        }
    }

    @Test func aFeedDownIsLoggedOnceAndTheAgentAbstains() async throws {
        try await ScriptedHTTPServer.with({ _, i in
            i < 2 ? Self.xml("busy", status: 503) : Self.xml(Self.rss([("Bitcoin rallies", 60)]))
        }) { port, server in
            let logs = LogRecorder()
            let agent = NewsAgent(settings: NewsSettings(), model: nil, logger: logs.logger, feeds: [SyndicationFeed(url: URL(string: "http://127.0.0.1:\(port)/rss")!)])
            _ = await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs)
            await agent.poll()
            await agent.poll()
            #expect(server.requests.count == 2)
            #expect(await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs).confidence == 0)
            #expect(logs.all.filter { $0.contains("news feed cannot be read") }.count == 1, "\(logs.all)")
            #expect(logs.all.first { $0.contains("cannot be read") }?.contains("answered HTTP 503") == true)
            await agent.poll()
            #expect(await agent.vote(symbol: "BTC/USDT", closeNs: WallClock.nowNs).action == .buy)
            #expect(logs.all.filter { $0.contains("news feed is back") }.count == 1)
        }
    }

    @Test func cryptoPanicPostsAreReadAndItsErrorsSaid() async throws {
        let now = WallClock.nowNs
        let published = { (ago: Int64) -> String in
            let date = Date(timeIntervalSince1970: Double(now / Self.second - ago))
            return ISO8601DateFormatter().string(from: date)
        }
        let page = """
            {"next":"https://cryptopanic.com/api/developer/v2/posts/?auth_token=tok-secret-123&page=2","previous":null,"results":[\
            {"id":24915310,"slug":"Bitcoin-ETF-inflows","title":"Bitcoin ETF inflows hit record as price rallies","description":"Spot funds took in more.",\
            "published_at":"\(published(600))","created_at":"\(published(600))","kind":"news",\
            "source":{"title":"CoinDesk","region":"en","domain":"coindesk.com","type":"feed"},"original_url":"https://www.coindesk.com/x",\
            "url":"https://cryptopanic.com/news/24915310/Bitcoin-ETF-inflows","instruments":[{"code":"BTC","title":"Bitcoin","slug":"bitcoin","url":"https://cryptopanic.com/news/bitcoin/","market_cap_usd":1.2e12,"price_in_usd":61000.5}],\
            "votes":{"negative":0,"positive":12,"important":3,"liked":4,"disliked":0,"lol":0,"toxic":0,"saved":1,"comments":2}},\
            {"id":24915311,"slug":"no-date","title":"A post without a date","kind":"news","currencies":[{"code":"BTC"}]}]}
            """
        try await ScriptedHTTPServer.with({ _, i in
            switch i {
            case 0: ScriptedHTTPServer.json(page)
            case 1: ScriptedHTTPServer.json(#"{"status":"Incomplete","info":"Token not found"}"#, status: 401)
            default: ScriptedHTTPServer.json(#"{"status":"Incomplete","info":"Rate limit exceeded"}"#, status: 429, headers: ["Retry-After: 30"])
            }
        }) { port, server in
            let feed = CryptoPanicFeed(baseURL: URL(string: "http://127.0.0.1:\(port)/api/developer/v2")!, token: "tok-secret-123")
            let posts = try await feed.fetch(assets: ["BTC", "ETH"])
            #expect(server.requests[0].target == "/api/developer/v2/posts/?auth_token=tok-secret-123&currencies=BTC,ETH&public=true&kind=news")
            #expect(posts.count == 1)
            #expect(posts[0].assets == ["BTC"] && posts[0].source == "CoinDesk" && posts[0].link == "https://www.coindesk.com/x")
            #expect(posts[0].id == "cryptopanic:24915310" && posts[0].summary == "Spot funds took in more.")
            await #expect { try await feed.fetch(assets: ["BTC"]) } throws: { error in
                let e = error as! NewsFeedError
                return e.message.contains("HTTP 401: Token not found") && e.message.contains("news.cryptopanic_token") && !e.description.contains("tok-secret")
            }
            await #expect { try await feed.fetch(assets: ["BTC"]) } throws: { error in (error as! NewsFeedError).retryAfter == .seconds(30) }
        }
    }

    @Test func aModelScoresHeadlinesWhenConfiguredAndTheLexiconWhenItFails() async throws {
        let scores = #"{\"scores\":[{\"n\":1,\"sentiment\":-0.9}]}"#
        let answer = #"{"id":"chatcmpl-n","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"\#(scores)","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":20,"total_tokens":140}}"#
        try await ScriptedHTTPServer.with({ request, i in
            if request.target.hasSuffix("/rss") { return Self.xml(Self.rss([("Bitcoin rallies to a record", 60)])) }
            return i < 1 ? ScriptedHTTPServer.json(answer) : ScriptedHTTPServer.json(#"{"error":{"message":"overloaded","type":"server_error","param":null,"code":null}}"#, status: 500)
        }) { port, server in
            let ai = try LLMAgentServiceTests.ai(port: port)
            let logs = LogRecorder()
            let model = ai.model(ledger: MemoryUsageLedger(), logger: logs.logger)
            let agent = NewsAgent(settings: NewsSettings(), model: model, logger: logs.logger, feeds: [SyndicationFeed(url: URL(string: "http://127.0.0.1:\(port)/rss")!)])
            let scored = await agent.score([NewsItem(id: "1", title: "Bitcoin rallies to a record", summary: "", link: "", publishedNs: WallClock.nowNs, source: "x")])
            // The model's word wins over the lexicon's (which reads "rallies" as good news).
            #expect(scored[0].sentiment == -0.9 && scored[0].scoredBy == "openai/gpt-4o-mini")
            let asked = try JSONValue(parsing: try #require(server.requests.last { $0.target.hasSuffix("/chat/completions") }).body)
            #expect(asked["messages"]?.array?.last?["content"]?.string == "1. Bitcoin rallies to a record")
            #expect(asked["response_format"]?["json_schema"]?["name"]?.string == "sentiments")
            // The model failing: the lexicon scores, and says so once.
            for _ in 0..<2 {
                let fallback = await agent.score([NewsItem(id: "2", title: "Bitcoin rallies to a record", summary: "", link: "", publishedNs: WallClock.nowNs, source: "x")])
                #expect(fallback[0].scoredBy == "lexicon" && fallback[0].sentiment > 0)
            }
            #expect(logs.all.filter { $0.contains("cannot score headlines") }.count == 1)
        }
    }

    @Test func settingsAreChecked() throws {
        func read(_ values: [String: String], env: [String: String] = [:]) throws(ConfigError) -> NewsSettings {
            try NewsSettings.read(ConfigValues(known: NewsSettings.keys, defaults: values, environment: [:]), environment: env)
        }
        #expect(try read([:]).configured == false)
        let s = try read(["news.feeds": "https://a.example/rss, https://b.example/atom.xml", "news.aliases": "PEPE=pepe|frog coin"], env: ["CRYPTOPANIC_API_TOKEN": "t"])
        #expect(s.feeds.count == 2 && s.cryptoPanic?.token == "t" && s.aliases["PEPE"] == ["pepe", "frog coin"] && s.aliases["BTC"] == ["bitcoin"])
        #expect(throws: ConfigError.self) { try read(["news.feeds": "ftp://x/rss"]) }
        #expect(throws: ConfigError.self) { try read(["news.aliases": "BTC"]) }
        #expect(throws: ConfigError.self) { try read(["news.sentiment": "vibes"]) }
        #expect(NewsAgent.asset(of: "BTC/USDT") == "BTC" && NewsAgent.asset(of: "ETHUSDT") == "ETH" && NewsAgent.asset(of: "EUR_USD") == "EUR")
        #expect(NewsAgent.asset(of: "GOOG") == "GOOG")
    }
}
