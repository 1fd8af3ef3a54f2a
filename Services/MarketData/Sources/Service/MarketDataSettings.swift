import Foundation
import ServiceKit
import TradingCore

/// market-data's own settings (beside the host's), read from the same sources and validated at start-up.
public struct MarketDataSettings: Sendable {
    /// Feeds to run, in order; the first with history for a symbol serves `Backfill` by default.
    public var feeds: [String] = ["simulated"]
    /// Each feed's settings, without the `feeds.<name>.` prefix.
    public var feedSettings: [String: [String: String]] = [:]
    /// Timeframes, grace and skew (`candles.*`).
    public var rules = CandleRules()
    /// How often forming candles, stored candles and changed quotes go out.
    public var formingPublishInterval: Duration = .seconds(1)
    public var flushInterval: Duration = .milliseconds(250)
    public var quotePublishInterval: Duration = .milliseconds(250)
    /// Publish every tick on `tw.md.tick.<SYMBOL>`.
    public var publishTicks = true
    /// Days of candles kept per timeframe; absent or 0 keeps them forever.
    public var retentionDays: [Timeframe: Int] = [.m1: 30, .m5: 90, .m15: 180]
    /// Largest `GetCandles` page.
    public var maxPage = 10_000

    /// The defaults of the table in the README.
    public init() {}

    static let keys: Set<String> = Set([
        "feeds", "candles.timeframes", "candles.grace_ms", "candles.max_skew_ms", "candles.forming_publish_ms", "candles.flush_ms",
        "quotes.publish_ms", "bus.publish_ticks", "candles.max_page",
    ] + Timeframe.allCases.map { "candles.retention_days.\($0.rawValue)" })

    /// Reads the settings; `registry` names the feeds that exist and the keys each reads.
    public static func read(_ v: ConfigValues, registry: FeedRegistry) throws(ConfigError) -> MarketDataSettings {
        var s = MarketDataSettings()
        s.feeds = v.string("feeds", default: "simulated").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for f in s.feeds where registry.settingKeys[f] == nil {
            throw ConfigError(key: "feeds", message: "names unknown feed \"\(f)\"; known: \(registry.plugins.names.joined(separator: ", "))")
        }
        guard Set(s.feeds).count == s.feeds.count else { throw ConfigError(key: "feeds", message: "lists a feed twice") }
        for (name, keys) in registry.settingKeys {
            var own: [String: String] = [:]
            for k in keys { if let value = v.values["feeds.\(name).\(k)"]?.value { own[k] = value } }
            s.feedSettings[name] = own
        }
        let tfText = v.string("candles.timeframes", default: Timeframe.allCases.map(\.rawValue).joined(separator: ","))
        var tfs: [Timeframe] = []
        for t in tfText.split(separator: ",") {
            do { tfs.append(try Timeframe(parsing: t.trimmingCharacters(in: .whitespaces))) } catch {
                throw ConfigError(key: "candles.timeframes", message: error.message)
            }
        }
        guard !tfs.isEmpty else { throw ConfigError(key: "candles.timeframes", message: "needs at least one timeframe") }
        s.rules.timeframes = Timeframe.allCases.filter(tfs.contains)
        s.rules.graceNs = Int64(try v.int("candles.grace_ms", default: 5000, range: 0...86_400_000)) * 1_000_000
        s.rules.maxFutureSkewNs = Int64(try v.int("candles.max_skew_ms", default: 5000, range: 0...86_400_000)) * 1_000_000
        s.formingPublishInterval = .milliseconds(try v.int("candles.forming_publish_ms", default: 1000, range: 0...3_600_000))
        s.flushInterval = .milliseconds(try v.int("candles.flush_ms", default: 250, range: 1...60_000))
        s.quotePublishInterval = .milliseconds(try v.int("quotes.publish_ms", default: 250, range: 1...60_000))
        s.publishTicks = try v.bool("bus.publish_ticks", default: true)
        s.maxPage = try v.int("candles.max_page", default: 10_000, range: 1...100_000)
        for tf in Timeframe.allCases {
            let days = try v.int("candles.retention_days.\(tf.rawValue)", default: s.retentionDays[tf] ?? 0, range: 0...100_000)
            s.retentionDays[tf] = days == 0 ? nil : days
        }
        return s
    }
}
