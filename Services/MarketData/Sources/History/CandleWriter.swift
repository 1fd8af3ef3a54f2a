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
            coalesce: Self.keepingLast { CandleKey(symbol: $0.symbol, timeframe: $0.candle.timeframe.wireNumber, openTime: $0.candle.openTime) },
            write: { try await repository.upsert($0) })
    }
}

/// What identifies a stored candle.
private struct CandleKey: Hashable {
    let symbol: String
    let timeframe: Int
    let openTime: Int64
}
