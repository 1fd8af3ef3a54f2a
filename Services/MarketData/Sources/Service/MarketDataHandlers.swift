import Bus
import Contract
import Foundation
import RPC
import ServiceKit
import TradingCore
import Wire

/// The `MarketData` RPC service.
struct MarketDataHandlers: MarketDataService {
    let pipeline: MarketDataPipeline
    let feeds: [any MarketFeed]
    let repository: CandleRepository?
    let settings: MarketDataSettings
    /// Every instrument as sent, made once (formatting trading sessions per call was most of ListAssets).
    let instrumentWires: [PB.Instrument]
    var catalog: InstrumentCatalog { pipeline.catalog }
    var writer: CandleWriter? { pipeline.writer }

    init(pipeline: MarketDataPipeline, feeds: [any MarketFeed], repository: CandleRepository?, settings: MarketDataSettings) {
        self.pipeline = pipeline
        self.feeds = feeds
        self.repository = repository
        self.settings = settings
        instrumentWires = pipeline.catalog.instruments.map(\.wire)
    }

    // MARK: Instruments and quotes

    func listAssets(_ request: PB.ListAssetsRequest, context: ServerCallContext) async throws -> PB.ListAssetsResponse {
        let classes = Set(request.assetClasses.compactMap(AssetClass.init(wire:)))
        var assets: [PB.Asset] = []
        for (i, instrument) in catalog.instruments.enumerated() where classes.isEmpty || classes.contains(instrument.assetClass) {
            let quote = pipeline.quote(InstrumentID(Int32(i)))
            assets.append(PB.Asset(instrument: instrumentWires[i], quote: quote?.wire ?? PB.Quote(symbol: instrument.symbol.value)))
        }
        return PB.ListAssetsResponse(assets: assets)
    }

    func getInstrument(_ request: PB.GetInstrumentRequest, context: ServerCallContext) async throws -> PB.Instrument {
        instrumentWires[try catalog.resolve(request.symbol).index]
    }

    /// From memory; after a restart, before the first tick, from the Redis hash.
    func getQuote(_ request: PB.GetQuoteRequest, context: ServerCallContext) async throws -> PB.Quote {
        let id = try catalog.require(request.symbol)
        if let q = pipeline.quote(id) { return q.wire }
        if let bus = pipeline.bus, let q = QuoteFields.decode(try await bus.fields(BusChannel.quoteKey(request.symbol)), symbol: request.symbol) { return q.wire }
        throw RPCError(code: .notFound, message: "no quote for \(request.symbol) yet: no feed has delivered a price for it")
    }

    // MARK: History

    func getCandles(_ request: PB.GetCandlesRequest, context: ServerCallContext) async throws -> PB.GetCandlesResponse {
        let (id, tf, from, to) = try seriesArguments(request.symbol, request.timeframe, request.range ?? PB.TimeRange())
        let pageRequest = request.page ?? PB.PageRequest()
        let limit = pageRequest.limit == 0 ? 1000 : Int(pageRequest.limit)
        guard limit <= settings.maxPage else {
            throw MarketDataError(.invalidArgument, "page.limit \(limit) is above the maximum of \(settings.maxPage)")
        }
        let cursor = try CandleCursor.decode(pageRequest.cursor)
        let repository = try requireStore()
        // Read your writes: candles closed before this call are stored before it reads.
        try await writer?.flush()
        let candles = try await repository.page(
            symbol: request.symbol, instrument: id, timeframe: tf, from: from, to: to, after: cursor, limit: limit + 1,
            descending: request.descending)
        let page = candles.prefix(limit)
        let hasMore = candles.count > limit
        return PB.GetCandlesResponse(
            candles: page.map { pipeline.wireCandle($0, closed: true) },
            page: PB.PageInfo(nextCursor: hasMore ? CandleCursor.encode(page.last!.openTime) : "", hasMore: hasMore))
    }

    func backfill(_ request: PB.BackfillRequest, context: ServerCallContext) async throws -> PB.BackfillResponse {
        let (id, tf, from, requestedTo) = try seriesArguments(request.symbol, request.timeframe, request.range ?? PB.TimeRange())
        guard let range = request.range, range.fromNs != 0, range.toNs != 0 else {
            throw MarketDataError(.invalidArgument, "backfill needs both range.from_ns and range.to_ns")
        }
        // Only closed periods: a provider's candle for the period still forming would be stored as
        // closed and then meet the live one.
        let to = min(requestedTo, tf.periodStart(containing: WallClock.nowNs))
        guard from < to else { return PB.BackfillResponse() }
        let periods = (to - from) / tf.nanoseconds
        guard periods <= 1_000_000 else {
            throw MarketDataError(.invalidArgument, "the range holds \(periods) \(tf) candles; backfill at most 1000000 per call")
        }
        let repository = try requireStore()
        let feed = try historyFeed(named: request.feed, for: id)
        let fetched = try await feed.history(id, tf, from: from, to: to)
        // Provider candles obey the same rules as live ones: malformed rows are dropped and counted.
        let valid = fetched.filter { $0.isWellFormed && $0.timeframe == tf && $0.openTime >= from && $0.openTime < to }
        var seen = Set<Int64>()
        let unique = valid.filter { seen.insert($0.openTime).inserted }
        try await writer?.flush()
        let inserted = try await repository.insertMissing(unique.map { StoredCandle(symbol: request.symbol, candle: $0) }, source: feed.name)
        // Malformed or repeated provider rows count as fetched but neither inserted nor duplicates.
        return PB.BackfillResponse(fetched: UInt64(fetched.count), inserted: UInt64(inserted), duplicates: UInt64(unique.count - inserted))
    }

    func gaps(_ request: PB.GapsRequest, context: ServerCallContext) async throws -> PB.GapsResponse {
        let (id, tf, from, to) = try seriesArguments(request.symbol, request.timeframe, request.range ?? PB.TimeRange())
        let repository = try requireStore()
        try await writer?.flush()
        let (holes, first, last) = try await repository.holes(symbol: request.symbol, timeframe: tf, from: from, to: to)
        let sessions = catalog[id].sessions
        let range = request.range ?? PB.TimeRange()
        var spans: [(Int64, Int64)] = holes.map { hole in (hole.0 + tf.nanoseconds, hole.1) }
        if range.fromNs != 0 {
            let aligned = tf.periodStart(containing: from)
            let start: Int64 = aligned < from ? aligned + tf.nanoseconds : aligned
            spans.insert((start, first ?? (range.toNs != 0 ? to : start)), at: 0)
        }
        if range.toNs != 0, let last, last + tf.nanoseconds < to { spans.append((last + tf.nanoseconds, to)) }
        var gaps: [PB.Gap] = []
        for (start, end) in spans where end > start {
            let missing = GapCounter.missingPeriods(from: start, to: end, timeframe: tf, sessions: sessions)
            if missing > 0 { gaps.append(PB.Gap(fromNs: start, toNs: end, missingCandles: missing)) }
        }
        return PB.GapsResponse(gaps: gaps)
    }

    func listFeeds(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ListFeedsResponse {
        PB.ListFeedsResponse(feeds: pipeline.feedStats().map { name, stats in
            PB.FeedInfo(
                name: name, kind: name, connected: stats.connected, symbols: stats.instruments.map { catalog[$0].symbol.value },
                ticksReceived: stats.received, ticksRejected: stats.rejected)
        })
    }

    // MARK: Streams

    func streamTicks(_ request: PB.StreamTicksRequest, context: ServerCallContext, writer: StreamWriter<PB.Tick>) async throws {
        let wanted = try Set(request.symbols.map { s throws(MarketDataError) in try catalog.require(s) })
        let stream = pipeline.ticks.subscribe { wanted.isEmpty || wanted.contains($0.instrument) }
        for await tick in stream { try await writer.write(pipeline.wireTick(tick)) }
    }

    /// The last `snapshot` closed candles from storage, then live ones (forming, closed, corrections).
    func streamCandles(_ request: PB.StreamCandlesRequest, context: ServerCallContext, writer: StreamWriter<PB.Candle>) async throws {
        guard let tf = Timeframe(wire: request.timeframe), settings.rules.timeframes.contains(tf) else {
            throw MarketDataError(.invalidArgument, "timeframe must be one of \(settings.rules.timeframes.map(\.rawValue).joined(separator: ", "))")
        }
        let wanted = try Set(request.symbols.map { s throws(MarketDataError) in try catalog.require(s) })
        // Subscribe before reading the snapshot so nothing closes in between unseen.
        let stream = pipeline.candles.subscribe { $0.candle.timeframe == tf && (wanted.isEmpty || wanted.contains($0.candle.instrument)) }
        var lastSent: [InstrumentID: Int64] = [:]
        if request.snapshot > 0, let repository {
            try await self.writer?.flush()
            for id in wanted.sorted() {
                let recent = try await repository.page(
                    symbol: catalog[id].symbol.value, instrument: id, timeframe: tf, from: .min, to: .max, after: nil,
                    limit: Int(min(request.snapshot, UInt32(settings.maxPage))), descending: true)
                for c in recent.reversed() { try await writer.write(pipeline.wireCandle(c, closed: true)) }
                lastSent[id] = recent.first?.openTime
            }
        }
        for await event in stream {
            if event.kind == .closed, let last = lastSent[event.candle.instrument], event.candle.openTime <= last { continue }
            try await writer.write(pipeline.wireCandle(event))
        }
    }

    // MARK: Arguments

    private func seriesArguments(_ symbol: String, _ timeframe: PB.Timeframe, _ range: PB.TimeRange) throws(MarketDataError) -> (InstrumentID, Timeframe, Int64, Int64) {
        let id = try catalog.require(symbol)
        guard let tf = Timeframe(wire: timeframe) else {
            throw MarketDataError(.invalidArgument, "timeframe is missing or unknown; use one of 1m, 5m, 15m, 1h, 4h, 1d")
        }
        let from = range.fromNs == 0 ? Int64.min : range.fromNs
        let to = range.toNs == 0 ? Int64.max : range.toNs
        guard from < to else { throw MarketDataError(.invalidArgument, "range.from_ns (\(range.fromNs)) must be before range.to_ns (\(range.toNs))") }
        return (id, tf, from, to)
    }

    private func requireStore() throws -> CandleRepository {
        guard let repository else { throw RPCError(code: .failedPrecondition, message: "history is off: this market-data runs without Postgres") }
        return repository
    }

    private func historyFeed(named name: String, for id: InstrumentID) throws(MarketDataError) -> any MarketFeed {
        if !name.isEmpty {
            guard let feed = feeds.first(where: { $0.name == name }) else {
                throw MarketDataError(.unknownFeed, "feed \"\(name)\" is not running; running: \(feeds.map(\.name).joined(separator: ", "))")
            }
            return feed
        }
        guard let feed = feeds.first(where: { $0.instruments.contains(id) }) else {
            throw MarketDataError(.historyUnavailable, "no running feed carries \(catalog[id].symbol)")
        }
        return feed
    }
}
