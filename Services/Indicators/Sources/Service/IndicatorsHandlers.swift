import Contract
import Foundation
import Indicators
import Logging
import RPC
import ServiceKit
import TradingCore
import Wire

/// The `Indicators` RPC service.
struct IndicatorsHandlers: IndicatorsService {
    let runtime: IndicatorsRuntime
    /// The RPC frame limit: a ComputeSeries answer must fit one frame.
    let maxFrameBytes: Int
    var settings: IndicatorsSettings { runtime.settings }
    var history: CandleHistory { runtime.history }

    // MARK: Catalogue and batch

    func listIndicators(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ListIndicatorsResponse {
        PB.ListIndicatorsResponse(indicators: IndicatorCatalog.all.map(\.wire))
    }

    /// The indicator over the stored candles of the range (TA-Lib's batch semantics: NaN until warm).
    func computeSeries(_ request: PB.ComputeSeriesRequest, context: ServerCallContext) async throws -> PB.ComputeSeriesResponse {
        let key = try Self.seriesKey(request.symbol, request.timeframe)
        let range = request.range ?? PB.TimeRange()
        if range.fromNs != 0, range.toNs != 0, range.fromNs >= range.toNs {
            throw IndicatorsError(.invalidArgument, "range.from_ns (\(range.fromNs)) must be before range.to_ns (\(range.toNs))")
        }
        guard let spec = request.indicator else { throw IndicatorsError(.invalidArgument, "indicator is missing; e.g. {name: \"rsi\", parameters: [14]}") }
        let indicator: ConfiguredIndicator
        do { indicator = try ConfiguredIndicator(IndicatorSpec(name: spec.name, parameters: spec.parameters)) } catch {
            throw IndicatorsError(error, in: "indicator")
        }
        // The answer must fit one frame: open times plus every output, 9 bytes a value at most.
        let maxBars = min(settings.maxComputeBars, (maxFrameBytes - 1024) / (9 * (1 + indicator.definition.width)))
        var candles: [PB.Candle] = []
        try await history.forEachPage(key, from: range.fromNs, to: range.toNs) { page in
            candles += page
            guard candles.count <= maxBars else {
                throw IndicatorsError(
                    .tooLarge, "the range holds more than \(maxBars) \(key.timeframe.rawValue) candles for \(indicator); ask for a shorter range")
            }
            return true
        }
        let loaded = candles
        // Up to millions of bars: computed on the compute pool, not the connection's event loop.
        return try await OffLoop.run {
            let series = PriceSeries(
                open: loaded.map(\.open), high: loaded.map(\.high), low: loaded.map(\.low), close: loaded.map(\.close), volume: loaded.map(\.volume))
            let outputs = indicator.compute(series)
            return PB.ComputeSeriesResponse(
                openTimesNs: loaded.map(\.openTimeNs),
                columns: zip(indicator.columnNames, outputs).map { PB.SeriesColumn(name: $0, values: $1) })
        }
    }

    // MARK: Sets

    func createIndicatorSet(_ request: PB.CreateIndicatorSetRequest, context: ServerCallContext) async throws -> PB.IndicatorSet {
        let requested = try Self.seriesKey(request.symbol, request.timeframe)
        let specs = request.indicators.map { IndicatorSpec(name: $0.name.trimmingCharacters(in: .whitespaces).lowercased(), parameters: $0.parameters) }
        // Validate the specs before asking market-data anything.
        _ = try IndicatorSetRecord(id: "", key: requested, specs: specs, anchorNs: 0, createdAtNs: 0)
        let repository = try requireSets()
        let client = try history.requireClient()
        // market-data names the symbol (and refuses unknown ones); its spelling is what the bus carries.
        let instrument = try await CandleHistory.relay { try await client.getInstrument(PB.GetInstrumentRequest(symbol: requested.symbol)) }
        let key = SeriesKey(symbol: instrument.symbol, timeframe: requested.timeframe)
        let now = WallClock.nowNs
        if settings.backfillOnCreate, settings.warmupBars > 0 {
            // Closed periods only: the one forming now arrives live.
            let to = key.timeframe.periodStart(containing: now)
            let from = to - Int64(settings.warmupBars) * key.timeframe.nanoseconds
            do {
                _ = try await client.backfill(PB.BackfillRequest(symbol: key.symbol, timeframe: key.timeframe.wire, range: PB.TimeRange(fromNs: from, toNs: to)))
            } catch {
                runtime.logger.info("market-data could not backfill the warm-up window", metadata: ["indicators.series": "\(key)", "error": "\(error)"])
            }
        }
        let window = settings.warmupBars > 0 ? try await history.newest(key, count: settings.warmupBars) : []
        let anchor = window.first?.openTimeNs ?? key.timeframe.periodStart(containing: now)
        let set = try IndicatorSetRecord(id: UUID().uuidString.lowercased(), key: key, specs: specs, anchorNs: anchor, createdAtNs: now)
        try await repository.insert(set)
        try await resync(key)
        return set.wire
    }

    func listIndicatorSets(_ request: PB.ListIndicatorSetsRequest, context: ServerCallContext) async throws -> PB.ListIndicatorSetsResponse {
        let symbol = request.symbol.trimmingCharacters(in: .whitespaces)
        return PB.ListIndicatorSetsResponse(sets: try await requireSets().all(symbol: symbol.isEmpty ? nil : symbol).map(\.wire))
    }

    func deleteIndicatorSet(_ request: PB.DeleteIndicatorSetRequest, context: ServerCallContext) async throws -> PB.Empty {
        guard let id = UUID(uuidString: request.id)?.uuidString.lowercased() else {
            throw IndicatorsError(.invalidArgument, "id \"\(request.id)\" is not a set id (a UUID from CreateIndicatorSet or ListIndicatorSets)")
        }
        guard let key = try await requireSets().delete(id: id) else {
            throw IndicatorsError(.unknownSet, "there is no indicator set \(id)")
        }
        try await resync(key)
        return PB.Empty()
    }

    /// Installs the stored sets of `key` and warms it up now, so the answer comes with values; when
    /// market-data cannot serve the history now, the runtime keeps retrying.
    private func resync(_ key: SeriesKey) async throws {
        guard let ticket = runtime.book.configure(key, sets: try await requireSets().all(on: key)) else { return }
        do { try await runtime.sync(ticket) } catch {
            runtime.logger.warning("warm-up failed; retrying in the background", metadata: ["indicators.series": "\(key)", "error": "\(error)"])
            runtime.schedule(key, .warmUp)
        }
    }

    // MARK: Snapshots

    /// From memory; before the first bar after a start, from storage.
    func latest(_ request: PB.LatestRequest, context: ServerCallContext) async throws -> PB.IndicatorSnapshot {
        let key = try Self.seriesKey(request.symbol, request.timeframe)
        if let snapshot = runtime.book.latest(key) { return snapshot }
        if let snapshot = try await runtime.snapshots?.latest(key) { return snapshot }
        throw IndicatorsError(.noSnapshot, "no snapshot for \(key) yet: create an indicator set for it and wait for a closed bar")
    }

    /// The newest snapshot, then each new one (corrections included) until the caller cancels.
    func streamSnapshots(_ request: PB.StreamSnapshotsRequest, context: ServerCallContext, writer: StreamWriter<PB.IndicatorSnapshot>) async throws {
        let key = try Self.seriesKey(request.symbol, request.timeframe)
        guard !runtime.book.sets(key).isEmpty else {
            throw IndicatorsError(.unknownSet, "no indicator set runs on \(key); create one with CreateIndicatorSet")
        }
        // Subscribe before reading the newest so nothing made in between goes unseen.
        let stream = runtime.stream.subscribe { $0.key == key }
        var sent = Int64.min
        if let snapshot = runtime.book.latest(key) {
            try await writer.write(snapshot)
            sent = snapshot.openTimeNs
        }
        for await emission in stream where emission.snapshot.openTimeNs > sent || emission.snapshot.correction {
            try await writer.write(emission.snapshot)
        }
    }

    // MARK: Arguments

    static func seriesKey(_ symbol: String, _ timeframe: PB.Timeframe) throws(IndicatorsError) -> SeriesKey {
        let symbol = symbol.trimmingCharacters(in: .whitespaces)
        guard !symbol.isEmpty else { throw IndicatorsError(.invalidArgument, "symbol is missing; e.g. BTC/USDT") }
        guard let tf = Timeframe(wire: timeframe) else {
            throw IndicatorsError(.invalidArgument, "timeframe is missing or unknown; use one of 1m, 5m, 15m, 1h, 4h, 1d")
        }
        return SeriesKey(symbol: symbol, timeframe: tf)
    }

    private func requireSets() throws(IndicatorsError) -> SetRepository {
        guard let sets = runtime.sets else { throw IndicatorsError(.storageOff, "indicator sets need Postgres; this instance runs without it") }
        return sets
    }
}

extension IndicatorDefinition {
    /// The catalogue entry on the wire; a single-output indicator lists one output, "value" (its
    /// column is the stem alone, e.g. `rsi_14`).
    var wire: PB.IndicatorInfo {
        PB.IndicatorInfo(
            name: name, title: title,
            parameters: parameters.map {
                PB.ParameterSpec(name: $0.name, defaultValue: $0.defaultValue, minValue: $0.minimum, maxValue: $0.maximum, integer: $0.kind != .real)
            },
            outputs: outputs.isEmpty ? ["value"] : outputs, inputs: inputs.map(\.rawValue))
    }
}
