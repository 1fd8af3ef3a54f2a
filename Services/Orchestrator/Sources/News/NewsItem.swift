import Foundation

/// One headline from a news feed, as the news agent keeps it.
struct NewsItem: Sendable, Hashable {
    /// Stable within its feed (the RSS guid, the Atom id, CryptoPanic's post id, else the link).
    var id: String
    var title: String
    /// The summary or description, tags stripped; may be empty.
    var summary: String
    var link: String
    /// When it was published, nanoseconds since the epoch.
    var publishedNs: Int64
    /// The feed it came from (its host, or `cryptopanic`).
    var source: String
    /// The assets the feed itself tagged it with (CryptoPanic's currencies), upper case; empty for
    /// RSS and Atom, whose items are matched to assets by their words.
    var assets: [String] = []
}

/// Where headlines come from: an RSS 2.0 or Atom feed, or CryptoPanic's posts API.
protocol NewsFeed: Sendable {
    /// For logs and reasoning.
    var name: String { get }
    /// The newest items about any of `assets` (base assets such as `BTC`); a general feed
    /// (RSS, Atom) returns everything and leaves matching to the caller.
    func fetch(assets: [String]) async throws(NewsFeedError) -> [NewsItem]
}

/// A feed that could not be read: the network, the status, or what it sent.
struct NewsFeedError: Error, CustomStringConvertible {
    let feed: String
    let message: String
    /// When the feed asked to be left alone for a while (429 with `Retry-After`).
    var retryAfter: Duration?

    init(_ feed: String, _ message: String, retryAfter: Duration? = nil) {
        self.feed = feed
        self.message = message
        self.retryAfter = retryAfter
    }

    var description: String { "\(feed): \(message)" }
}
