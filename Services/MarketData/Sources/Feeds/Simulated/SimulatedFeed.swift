import Foundation
import RPC
import TradingCore

/// `simulated`: the offline default. Runs `SimulatedMarket` against the wall clock scaled by
/// `time_scale` (1 = real time, 60 = a simulated minute per second), delivering a batch every
/// `batch_ms`; answers `history` from `SimulatedHistory`.
///
/// Settings: `seed` (42), `symbols` (all), `time_scale` (1), `start_ns` (now, or where the stored live
/// candles end when that is later: a market run faster than real time continues after a restart),
/// `step_ms` (per asset class), `batch_ms` (50).
public struct SimulatedFeed: MarketFeed {
    /// The registered name.
    public static let name = "simulated"
    public var name: String { Self.name }
    /// The instruments it streams.
    public let instruments: [InstrumentID]
    let catalog: InstrumentCatalog
    let seed: UInt64
    let timeScale: Double
    let start: Int64?
    let stepMs: Int?
    let batchMs: Int

    /// Builds the feed from its settings; a bad or missing one throws `invalid_configuration`.
    public init(context: FeedContext) throws(MarketDataError) {
        catalog = context.catalog
        instruments = try context.instruments(default: context.catalog.instruments.indices.map { InstrumentID(Int32($0)) })
        seed = UInt64(try context.int("seed", default: 42, range: 0...Int.max))
        timeScale = try context.double("time_scale", default: 1, range: 0.001...1_000_000)
        let startText = context.settings["start_ns"] ?? ""
        if startText.isEmpty {
            start = nil
        } else {
            guard let ns = Int64(startText) else { throw MarketDataError(.invalidConfiguration, "start_ns = \"\(startText)\" is not Unix nanoseconds") }
            start = ns
        }
        let step = try context.int("step_ms", default: 0, range: 0...3_600_000)
        stepMs = step == 0 ? nil : step
        batchMs = try context.int("batch_ms", default: 50, range: 1...60_000)
    }

    public func run(into sink: FeedSink) async throws {
        let wallStart = Date().timeIntervalSince1970
        let simStart = start ?? max(Int64(wallStart * 1e9), sink.storedUntilNs ?? 0)
        var market = SimulatedMarket(catalog: catalog, instruments: instruments, seed: seed, start: simStart, stepMs: stepMs)
        sink.connected(true)
        defer { sink.connected(false) }
        var batch: [MarketTick] = []
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(batchMs))
            let elapsed = Date().timeIntervalSince1970 - wallStart
            let simNow = simStart + Int64(elapsed * timeScale * 1e9)
            batch.removeAll(keepingCapacity: true)
            market.generate(until: simNow, into: &batch)
            await sink.deliver(batch, clock: simNow)
        }
    }

    public func history(_ instrument: InstrumentID, _ timeframe: Timeframe, from: Int64, to: Int64) async throws -> [CandleState] {
        SimulatedHistory(instrument: catalog[instrument], seed: seed).candles(instrument, timeframe, from: from, to: to)
    }
}
