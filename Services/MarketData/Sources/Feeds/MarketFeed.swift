import Foundation
import Logging
import RPC
import TradingCore

/// A source of market data, registered by name and chosen by configuration (`feeds=simulated,replay`).
///
/// `run` streams until its task is cancelled, handing normalized ticks to the sink in batches along
/// with the feed's clock (wall time for live venues, virtual time for simulated and replayed data),
/// and reconnects on its own. Feeds with a history API also answer `history`.
public protocol MarketFeed: Sendable {
    /// The registered name (`simulated`, `replay`, `binance`, …).
    var name: String { get }
    /// The instruments it streams.
    var instruments: [InstrumentID] { get }
    /// Streams into `sink` until cancelled.
    func run(into sink: FeedSink) async throws
    /// Closed candles of `instrument` in `[from, to)`, oldest first; `historyUnavailable` when the
    /// feed has no history for it.
    func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState]
}

/// Where a feed delivers: batches of ticks with the feed's clock, problems, and its connection state.
public struct FeedSink: Sendable {
    let deliverBatch: @Sendable ([MarketTick], Int64) async -> Void
    let reportIssue: @Sendable (TickIssue, String) -> Void
    let setConnected: @Sendable (Bool) -> Void
    /// Where the service's stored live candles end (Unix ns), nil when it has none: a feed with a
    /// virtual clock starts after it so that a restart continues the history instead of rewriting it.
    public var storedUntilNs: Int64?

    /// A sink calling `deliver` for batches, `report` for dropped messages, `connected` on connection changes.
    public init(
        deliver: @escaping @Sendable ([MarketTick], Int64) async -> Void,
        report: @escaping @Sendable (TickIssue, String) -> Void = { _, _ in },
        connected: @escaping @Sendable (Bool) -> Void = { _ in }
    ) {
        self.deliverBatch = deliver
        self.reportIssue = report
        self.setConnected = connected
    }

    /// Hands over `ticks` (possibly none, to move the clock) with the feed's time `clock`.
    public func deliver(_ ticks: [MarketTick], clock: Int64) async { await deliverBatch(ticks, clock) }

    /// A message the feed dropped before it became a tick (unknown symbol, malformed): counted, logged once per kind.
    public func report(_ issue: TickIssue, _ detail: String) { reportIssue(issue, detail) }

    /// Tells whether the feed is connected to its source (`ListFeeds`).
    public func connected(_ up: Bool) { setConnected(up) }
}

/// What a feed is built with: the catalog, its own settings (`feeds.<name>.*` without the prefix)
/// and a logger.
public struct FeedContext: Sendable {
    /// The instruments the feed resolves symbols against.
    public let catalog: InstrumentCatalog
    /// The feed's own settings, keys without the `feeds.<name>.` prefix.
    public let settings: [String: String]
    public let logger: Logger

    /// A context for building one feed.
    public init(catalog: InstrumentCatalog, settings: [String: String] = [:], logger: Logger) {
        self.catalog = catalog
        self.settings = settings
        self.logger = logger
    }

    /// The instruments named by the `symbols` setting (comma-separated canonical symbols), or `fallback`.
    public func instruments(default fallback: [InstrumentID]) throws(MarketDataError) -> [InstrumentID] {
        guard let text = settings["symbols"], !text.isEmpty else { return fallback }
        var ids: [InstrumentID] = []
        for s in text.split(separator: ",") { ids.append(try catalog.require(s.trimmingCharacters(in: .whitespaces))) }
        return ids
    }

    /// For a venue adapter: the instruments the `symbols` setting names, or by default every one with
    /// a spelling for `feed`; a named one the venue does not list throws.
    public func venueInstruments(_ feed: String) throws(MarketDataError) -> [InstrumentID] {
        let listed = catalog.instruments.indices.map { InstrumentID(Int32($0)) }.filter { catalog[$0].venueSymbols[feed] != nil }
        let chosen = try instruments(default: listed)
        for id in chosen where catalog[id].venueSymbols[feed] == nil {
            throw MarketDataError(
                .invalidConfiguration, "\(catalog[id].symbol) has no \(feed) symbol; \(feed) lists: \(listed.map { catalog[$0].symbol.value }.joined(separator: ", "))")
        }
        return chosen
    }

    /// The setting `key` as a whole number in `range`, or `fallback` when unset.
    public func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(MarketDataError) -> Int {
        guard let text = settings[key] else { return fallback }
        guard let v = Int(text), range.contains(v) else {
            throw MarketDataError(.invalidConfiguration, "\(key) = \"\(text)\" must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// The setting `key` as a URL with one of `schemes` and a host (`wss://stream.binance.com:9443`), or `fallback` when unset.
    public func url(_ key: String, default fallback: String, schemes: Set<String>) throws(MarketDataError) -> URL {
        let text = settings[key] ?? fallback
        guard let url = URL(string: text), let scheme = url.scheme, schemes.contains(scheme), url.host?.isEmpty == false else {
            throw MarketDataError(.invalidConfiguration, "\(key) = \"\(text)\" must be a \(schemes.sorted().joined(separator: " or ")) URL with a host")
        }
        return url
    }

    /// The setting `key` as a finite number in `range`, or `fallback` when unset.
    public func double(_ key: String, default fallback: Double, range: ClosedRange<Double>) throws(MarketDataError) -> Double {
        guard let text = settings[key] else { return fallback }
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw MarketDataError(.invalidConfiguration, "\(key) = \"\(text)\" must be a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }
}
