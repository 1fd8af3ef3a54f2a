import Foundation
import ServiceKit
import Strategies
import TradingCore

/// CryptoPanic's posts API: `GET {base}/posts/?auth_token=…&currencies=BTC,ETH&public=true&kind=news`
/// (base `https://cryptopanic.com/api/developer/v2`; the older `…/api/v1` answers the same
/// shape). The answer is a page `{"next", "previous", "results": [post]}`; a post has `id`,
/// `title`, `description` (v2, may be absent), `published_at` (RFC 3339), `url`, `source`
/// `{title, domain}`, and the assets it is about as `currencies` (v1) or `instruments` (v2), each
/// with a `code`. Only the first page is read: the newest posts are what a vote needs. The token
/// goes in the query as the API asks and is never put in an error or a log line.
struct CryptoPanicFeed: NewsFeed {
    let client: OutboundHTTPClient
    let token: String

    init(baseURL: URL, token: String, timeout: Duration = .seconds(15)) {
        // The base URL's path leads every request's (`OutboundHTTPClient.url`).
        client = OutboundHTTPClient(baseURL: baseURL, headers: [("Accept", "application/json")], timeout: timeout)
        self.token = token
    }

    var name: String { "cryptopanic" }

    func fetch(assets: [String]) async throws(NewsFeedError) -> [NewsItem] {
        guard !assets.isEmpty else { return [] }
        let response: OutboundHTTPClient.Response
        do {
            response = try await client.get(
                "/posts/",
                query: [("auth_token", token), ("currencies", assets.prefix(50).joined(separator: ",")), ("public", "true"), ("kind", "news")])
        } catch {
            throw NewsFeedError(name, "cannot be reached: \(String(describing: error).replacingOccurrences(of: token, with: "…"))")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.status == 200 else {
            let said = Self.said(text).replacingOccurrences(of: token, with: "…")
            let hint = response.status == 401 || response.status == 403 ? " (check the token in news.cryptopanic_token_env or news.cryptopanic_token_file)" : ""
            throw NewsFeedError(name, "answered HTTP \(response.status): \(said)\(hint)", retryAfter: response.status == 429 ? response.retryAfter ?? .seconds(60) : nil)
        }
        return try Self.parse(text)
    }

    /// The posts of one page.
    static func parse(_ text: String) throws(NewsFeedError) -> [NewsItem] {
        guard let page = try? JSONValue(parsing: text), let results = page["results"]?.array else {
            throw NewsFeedError("cryptopanic", "answered something other than a page of posts (no \"results\" array): \(text.prefix(120))")
        }
        return results.compactMap { post -> NewsItem? in
            guard let title = post["title"]?.string, !title.isEmpty, let published = (post["published_at"] ?? post["created_at"])?.string,
                let ns = TimestampParser.parse(Substring(published))
            else { return nil }
            let id = post["id"].map { $0.integer.map(String.init) ?? $0.string ?? "" } ?? ""
            let tagged = (post["currencies"]?.array ?? post["instruments"]?.array ?? []).compactMap { $0["code"]?.string?.uppercased() }
            return NewsItem(
                id: "cryptopanic:" + (id.isEmpty ? title : id), title: title, summary: String((post["description"]?.string ?? "").prefix(1_000)),
                link: post["original_url"]?.string ?? post["url"]?.string ?? "", publishedNs: ns,
                source: post["source"]?["title"]?.string ?? post["domain"]?.string ?? "cryptopanic", assets: tagged)
        }
    }

    /// What an error body says: the API's `info` or `detail`, else its first words.
    static func said(_ text: String) -> String {
        if let body = try? JSONValue(parsing: text), let words = body["info"]?.string ?? body["detail"]?.string ?? body["error"]?.string { return words }
        return String(text.prefix(160))
    }
}
