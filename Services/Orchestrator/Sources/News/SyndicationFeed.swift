import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import ServiceKit
import TradingCore

/// An RSS 2.0 or Atom feed read over HTTP. Which one is decided by the document's root element
/// (`rss` or `feed`), not by configuration. RSS 2.0 (rssboard.org/rss-specification): `channel`
/// of `item`s with `title`, `link`, `description`, `pubDate` (RFC 822 dates) and `guid`. Atom
/// (RFC 4287): `feed` of `entry`s with `title`, `link href`, `summary` or `content`, `published`
/// or `updated` (RFC 3339) and `id`. Items without a title or a date are left out: a headline
/// without a time cannot be weighed by its age. Redirects (a feed moved) are followed, three at most.
struct SyndicationFeed: NewsFeed {
    let url: URL
    let timeout: Duration

    init(url: URL, timeout: Duration = .seconds(15)) {
        self.url = url
        self.timeout = timeout
    }

    var name: String { url.host ?? url.absoluteString }

    /// Most redirects followed (a feed moved to https, or to a new address).
    static let maxRedirects = 3

    func fetch(assets: [String]) async throws(NewsFeedError) -> [NewsItem] {
        var target = url
        for _ in 0...Self.maxRedirects {
            let response = try await get(target)
            if [301, 302, 303, 307, 308].contains(response.status) {
                guard let location = response.header("Location"), let next = URL(string: location, relativeTo: target)?.absoluteURL,
                    ["http", "https"].contains(next.scheme ?? "")
                else { throw NewsFeedError(name, "answered HTTP \(response.status) without a usable Location") }
                target = next
                continue
            }
            guard response.status == 200 else {
                throw NewsFeedError(name, "answered HTTP \(response.status)", retryAfter: response.status == 429 || response.status == 503 ? response.retryAfter : nil)
            }
            return try Self.parse(response.body, source: name)
        }
        throw NewsFeedError(name, "redirected more than \(Self.maxRedirects) times")
    }

    private func get(_ target: URL) async throws(NewsFeedError) -> OutboundHTTPClient.Response {
        guard var root = URLComponents(url: target, resolvingAgainstBaseURL: false) else { throw NewsFeedError(name, "has no usable URL: \(target)") }
        let query = root.queryItems?.map { ($0.name, $0.value ?? "") } ?? []
        let path = root.path.isEmpty ? "/" : root.path
        (root.path, root.query) = ("", nil)
        guard let base = root.url else { throw NewsFeedError(name, "has no usable URL: \(target)") }
        let client = OutboundHTTPClient(baseURL: base, headers: [("Accept", "application/rss+xml, application/atom+xml, application/xml, text/xml")], timeout: timeout)
        do { return try await client.get(path, query: query) } catch { throw NewsFeedError(name, "cannot be reached: \(error)") }
    }

    /// The items of an RSS 2.0 or Atom document.
    static func parse(_ bytes: [UInt8], source: String) throws(NewsFeedError) -> [NewsItem] {
        let reader = Reader(source: source)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = reader
        // Entities stay unresolved: a feed cannot make the parser fetch or expand anything.
        parser.shouldResolveExternalEntities = false
        // libxml2 may report a premature end while parse() still returns true: the error decides.
        guard parser.parse(), parser.parserError == nil else {
            let code = (parser.parserError as NSError?)?.code ?? 0
            let what =
                switch code {
                case 4: "it is empty or not XML"
                case 5: "it ends before its elements are closed"
                case 26: "it uses an entity that is not declared"
                case 76: "a closing tag does not match its opening tag"
                default: "libxml2 error \(code)"
                }
            throw NewsFeedError(source, "is not well-formed XML at line \(parser.lineNumber), column \(parser.columnNumber): \(what)")
        }
        guard let kind = reader.root, kind == "rss" || kind == "feed" || kind == "rdf:RDF" else {
            throw NewsFeedError(source, "is neither RSS 2.0 nor Atom (its root element is <\(reader.root ?? "none")>)")
        }
        return reader.items
    }

    /// Collects items as the parser walks the document.
    private final class Reader: NSObject, XMLParserDelegate {
        let source: String
        var root: String?
        var items: [NewsItem] = []
        private var fields: [String: String]?
        private var text = ""
        private var atomLink: String?

        init(source: String) { self.source = source }

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if root == nil { root = name }
            if name == "item" || name == "entry" {
                fields = [:]
                atomLink = nil
            } else if fields != nil, name == "link", let href = attributes["href"] {
                // Atom: the alternate link (or the first, when none says what it is).
                let rel = attributes["rel"] ?? "alternate"
                if rel == "alternate" || atomLink == nil { atomLink = href }
            }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "item" || name == "entry", let f = fields {
                fields = nil
                let title = Self.plain(f["title"] ?? "")
                let dated = f["pubDate"] ?? f["published"] ?? f["updated"] ?? f["dc:date"]
                guard !title.isEmpty, let dated, let published = FeedDates.parse(dated) else { return }
                let link = (atomLink ?? f["link"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                let summary = Self.plain(f["description"] ?? f["summary"] ?? f["content"] ?? "")
                let id = (f["guid"] ?? f["id"] ?? link).trimmingCharacters(in: .whitespacesAndNewlines)
                items.append(NewsItem(id: id.isEmpty ? title : id, title: title, summary: String(summary.prefix(1_000)), link: link, publishedNs: published, source: source))
            } else if fields != nil, fields?[name] == nil {
                fields?[name] = text
            }
            text = ""
        }

        /// Text without markup (descriptions often carry HTML) and with runs of white space as one.
        static func plain(_ s: String) -> String {
            var out = s.replacingOccurrences(of: #"<[^>]*>"#, with: " ", options: .regularExpression)
            for (entity, character) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&nbsp;", " ")] {
                out = out.replacingOccurrences(of: entity, with: character)
            }
            return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }
}

/// The dates feeds use: RFC 822 as RSS 2.0 says (`Sat, 07 Sep 2002 09:42:31 GMT`, `+0000`
/// offsets, the US zone names, seconds or a weekday left out) and RFC 3339 as Atom says
/// (`2003-12-13T18:30:02Z`, `…02.25+01:00`, read by `TimestampParser`).
enum FeedDates {
    static func parse(_ raw: String) -> Int64? {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count >= 10, Array(text.utf8)[4] == UInt8(ascii: "-") { return TimestampParser.parse(Substring(text)) }
        return rfc822(text)
    }

    /// `Sat, 07 Sep 2002 09:42:31 GMT`; the weekday and the seconds optional, two-digit years as 19xx/20xx.
    static func rfc822(_ text: String) -> Int64? {
        let pattern = #"^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([A-Za-z]{1,5}|[+-]\d{4})?$"#
        guard let m = text.wholeMatch(of: try! Regex(pattern)) else { return nil }
        func int(_ i: Int) -> Int? { m.output[i].substring.flatMap { Int($0) } }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let day = int(1), (1...31).contains(day), let name = m.output[2].substring?.lowercased(), let month = months.firstIndex(of: name),
            var year = int(3), let hour = int(4), hour < 24, let minute = int(5), minute < 60
        else { return nil }
        let second = int(6) ?? 0
        guard second <= 60 else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        guard let offset = m.output[7].substring.map({ zoneOffset(String($0)) }) ?? 0 else { return nil }
        let seconds = CivilDate.days(fromYear: year, month: month + 1, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Int64(seconds) * 1_000_000_000
    }

    /// Seconds east of UTC for `GMT`, `UT`, `EST`…, `+hhmm`; nil for a zone not known.
    static func zoneOffset(_ zone: String) -> Int? {
        let names = ["Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7]
        if let hours = names[zone.uppercased()] { return hours * 3600 }
        let digits = zone.dropFirst()
        guard let sign = zone.first, sign == "+" || sign == "-", digits.count == 4, digits.allSatisfy(\.isNumber), let hh = Int(digits.prefix(2)), let mm = Int(digits.suffix(2))
        else { return nil }
        return (sign == "-" ? -1 : 1) * (hh * 3600 + mm * 60)
    }
}
