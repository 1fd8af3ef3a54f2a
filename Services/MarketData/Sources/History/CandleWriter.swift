import Contract
import Logging
import ServiceKit

/// Closed candles and corrections go to storage through a `BatchWriter` (metrics
/// `marketdata_candles_written_total` / `_dropped_total`).
typealias CandleWriter = BatchWriter<StoredCandle>

extension BatchWriter<StoredCandle> {
    /// A writer upserting into `repository`; a candle corrected several times in one batch is
    /// written once, as its latest state.
    convenience init(repository: CandleRepository, flushInterval: Duration, logger: Logger) {
        self.init(
            name: "marketdata_candles", settings: .init(flushInterval: flushInterval), logger: logger,
            coalesce: latestPerCandle, write: { try await repository.upsert($0) })
    }
}

/// The batch with only the last version of each (symbol, timeframe, open time), in batch order.
private func latestPerCandle(_ batch: [StoredCandle]) -> [StoredCandle] {
    struct Key: Hashable {
        let symbol: String
        let timeframe: Int
        let openTime: Int64
    }
    var latest: [Key: Int] = [:]
    for (i, r) in batch.enumerated() { latest[Key(symbol: r.symbol, timeframe: r.candle.timeframe.wireNumber, openTime: r.candle.openTime)] = i }
    return latest.count == batch.count ? batch : latest.values.sorted().map { batch[$0] }
}
