import Foundation
import RPC
import TradingCore

/// `replay`: plays an OHLCV or tick file (`ReplayFile`) as a live feed, at `speed` times real time
/// or as fast as possible (`speed=max`), which is also how history is imported: the candles it
/// rebuilds are stored like live ones. At the end of the file its clock moves one day on, so every
/// candle closes and is stored; then it stays idle.
///
/// Settings: `file` (required), `speed` (`max` or a factor, default `max`), `symbol` (for files
/// without a symbol column), `timeframe` (of a candle file; inferred when absent), `batch` (10000).
public struct ReplayFeed: MarketFeed {
    /// The registered name.
    public static let name = "replay"
    public var name: String { Self.name }
    /// The instruments it streams.
    public let instruments: [InstrumentID]
    let file: ReplayFile
    let catalog: InstrumentCatalog
    /// nil: as fast as possible.
    let speed: Double?
    let batch: Int

    /// Builds the feed from its settings; a bad or missing one throws `invalid_configuration`.
    public init(context: FeedContext) throws(MarketDataError) {
        guard let path = context.settings["file"], !path.isEmpty else {
            throw MarketDataError(.invalidConfiguration, "feeds.replay.file is required: the CSV to replay")
        }
        let symbol = try context.settings["symbol"].map { s throws(MarketDataError) in try context.catalog.require(s) }
        var timeframe: Timeframe?
        if let text = context.settings["timeframe"] {
            do { timeframe = try Timeframe(parsing: text) } catch { throw MarketDataError(.invalidConfiguration, "feeds.replay.timeframe: \(error.message)") }
        }
        try self.init(file: ReplayFile(path: path, catalog: context.catalog, symbol: symbol, timeframe: timeframe),
                      catalog: context.catalog, speed: context.settings["speed"] ?? "max", batch: try context.int("batch", default: 10_000, range: 1...1_000_000))
    }

    init(file: ReplayFile, catalog: InstrumentCatalog, speed: String, batch: Int) throws(MarketDataError) {
        self.file = file
        self.catalog = catalog
        self.batch = batch
        if speed == "max" {
            self.speed = nil
        } else {
            guard let s = Double(speed), s.isFinite, s > 0 else {
                throw MarketDataError(.invalidConfiguration, "feeds.replay.speed = \"\(speed)\" must be max or a positive factor")
            }
            self.speed = s
        }
        instruments = Array(Set(file.ticks.map(\.instrument))).sorted()
    }

    public func run(into sink: FeedSink) async throws {
        sink.connected(true)
        defer { sink.connected(false) }
        let ticks = file.ticks
        guard let first = ticks.first?.tsNs else { return }
        let wallStart = Date().timeIntervalSince1970
        var i = 0
        while i < ticks.count {
            try Task.checkCancellation()
            var end = min(ticks.count, i + batch)
            if let speed {
                // Deliver what is due now; sleep until the next tick is.
                let due = first + Int64((Date().timeIntervalSince1970 - wallStart) * speed * 1e9)
                if ticks[i].tsNs > due {
                    let waitNs = Double(ticks[i].tsNs - due) / speed
                    try await Task.sleep(for: .nanoseconds(Int64(min(waitNs, 1e9))))
                    continue
                }
                end = i
                while end < ticks.count, end - i < batch, ticks[end].tsNs <= due { end += 1 }
            }
            await sink.deliver(Array(ticks[i..<end]), clock: ticks[end - 1].tsNs)
            i = end
            if speed == nil { await Task.yield() }
        }
        await sink.deliver([], clock: ticks[ticks.count - 1].tsNs + Timeframe.d1.nanoseconds)
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }

    /// The file's candles for `timeframe`: its ticks (or candle ticks) built into candles of that
    /// timeframe, those opening in `[from, to)`.
    public func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState] {
        if let own = file.timeframe, own.nanoseconds > timeframe.nanoseconds {
            throw MarketDataError(.historyUnavailable, "the replay file holds \(own) candles; \(timeframe) cannot be built from them")
        }
        var rules = CandleRules()
        rules.timeframes = [timeframe]
        rules.graceNs = 0
        var engine = MarketDataEngine(catalog: catalog, rules: rules)
        var out = EngineOutput()
        for t in file.ticks where t.instrument == instrument { engine.ingest(t, now: t.tsNs, into: &out) }
        engine.advance(to: .max, into: &out)
        return out.candles.compactMap { e in
            e.kind == .closed && e.candle.openTime >= from && (to == 0 || e.candle.openTime < to) ? e.candle : nil
        }
    }
}
