import Foundation
import RPC
import TradingCore

/// An OHLCV or tick file read for replay, as ticks in time order.
///
/// CSV with a header, columns in any order and case:
/// - a time column: `time`, `timestamp`, `ts`, `date`, `datetime` or `open_time` (see `TimestampParser`);
/// - optionally `symbol` (canonical or any venue's spelling, `BTCUSDT`); otherwise the `symbol` setting;
/// - candles: `open`, `high`, `low`, `close`, optional `volume`; each candle becomes four ticks inside
///   its period (open; low and high in the order the bar most likely took; close with the volume),
///   which rebuild exactly that candle. Its timeframe is the `timeframe` setting or is inferred from
///   the spacing of the rows;
/// - ticks: `price` (or `last`), optional `size`/`qty`/`quantity`/`volume`, `bid`, `ask`.
/// Any cell that does not parse stops the load with its line and column: an import loses nothing silently.
struct ReplayFile: Sendable {
    var ticks: [MarketTick]
    /// The candle timeframe of a candle file; nil for a tick file.
    var timeframe: Timeframe?

    static let timeColumns = ["time", "timestamp", "ts", "date", "datetime", "open_time"]

    init(path: String, catalog: InstrumentCatalog, symbol: InstrumentID?, timeframe: Timeframe?) throws(MarketDataError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MarketDataError(.malformedFile, "cannot read replay file \(path)")
        }
        try self.init(text: String(decoding: data, as: UTF8.self), name: path, catalog: catalog, symbol: symbol, timeframe: timeframe)
    }

    init(text: String, name: String, catalog: InstrumentCatalog, symbol: InstrumentID?, timeframe: Timeframe?) throws(MarketDataError) {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().makeIterator()
        guard let (_, headerLine) = lines.next() else { throw MarketDataError(.malformedFile, "\(name) is empty; it needs a header line") }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        guard let timeCol = column(Self.timeColumns) else {
            throw MarketDataError(.malformedFile, "\(name): no time column; name one of \(Self.timeColumns.joined(separator: ", "))")
        }
        let symbolCol = column(["symbol", "instrument", "ticker"])
        guard symbolCol != nil || symbol != nil else {
            throw MarketDataError(.malformedFile, "\(name) has no symbol column; add one or set feeds.replay.symbol")
        }
        let ohlc = [column(["open"]), column(["high"]), column(["low"]), column(["close"])]
        let isCandles = ohlc.allSatisfy { $0 != nil }
        let priceCol = column(["price", "last"])
        guard isCandles || priceCol != nil else {
            throw MarketDataError(.malformedFile, "\(name): the header needs open, high, low, close (candles) or price (ticks); it has \(header.joined(separator: ","))")
        }
        let volumeCol = isCandles ? column(["volume", "vol"]) : column(["size", "qty", "quantity", "volume"])
        let bidCol = column(["bid"])
        let askCol = column(["ask"])

        struct Row { var id: InstrumentID; var ts: Int64; var values: [Double] }
        var rows: [Row] = []
        for (index, line) in lines {
            if line.allSatisfy(\.isWhitespace) { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            let lineNumber = index + 1
            func cell(_ c: Int, _ what: String) throws(MarketDataError) -> Substring {
                guard c < cells.count else { throw MarketDataError(.malformedFile, "\(name) line \(lineNumber): no \(what) column (\(cells.count) cells)") }
                return Substring(cells[c].trimmingCharacters(in: .whitespaces))
            }
            func number(_ c: Int?, _ what: String, default fallback: Double = 0) throws(MarketDataError) -> Double {
                guard let c else { return fallback }
                let text = try cell(c, what)
                if text.isEmpty { return fallback }
                guard let v = Double(text), v.isFinite, v >= 0 else {
                    throw MarketDataError(.malformedFile, "\(name) line \(lineNumber) column \(header[c]): \"\(text)\" is not a non-negative number")
                }
                return v
            }
            let timeText = try cell(timeCol, "time")
            guard let ts = TimestampParser.parse(timeText) else {
                throw MarketDataError(.malformedFile, "\(name) line \(lineNumber) column \(header[timeCol]): \"\(timeText)\" is not epoch s/ms/µs/ns or ISO-8601")
            }
            var id = symbol
            if let symbolCol {
                let text = String(try cell(symbolCol, "symbol"))
                guard let found = catalog.id(anySpelling: text) else {
                    throw MarketDataError(.unknownSymbol, "\(name) line \(lineNumber): unknown symbol \"\(text)\"")
                }
                id = found
            }
            var values: [Double]
            if isCandles {
                values = [
                    try number(ohlc[0], "open"), try number(ohlc[1], "high"), try number(ohlc[2], "low"), try number(ohlc[3], "close"),
                    try number(volumeCol, "volume"),
                ]
                let (o, h, l, c) = (values[0], values[1], values[2], values[3])
                guard l > 0, l <= min(o, c), h >= max(o, c) else {
                    throw MarketDataError(.malformedFile, "\(name) line \(lineNumber): not a candle (need 0 < low ≤ open, close ≤ high)")
                }
            } else {
                values = [try number(priceCol, "price"), try number(volumeCol, "size"), try number(bidCol, "bid"), try number(askCol, "ask")]
            }
            rows.append(Row(id: id!, ts: ts, values: values))
        }
        rows.sort { ($0.ts, $0.id) < ($1.ts, $1.id) }

        guard isCandles else {
            ticks = rows.map { MarketTick(instrument: $0.id, tsNs: $0.ts, price: $0.values[0], size: $0.values[1], bid: $0.values[2], ask: $0.values[3]) }
            self.timeframe = nil
            return
        }
        var tf = Timeframe.m1
        if let timeframe { tf = timeframe } else { tf = try Self.inferTimeframe(rows.map { ($0.id, $0.ts) }, name: name) }
        self.timeframe = tf
        ticks = []
        ticks.reserveCapacity(rows.count * 4)
        for r in rows {
            let start = tf.periodStart(containing: r.ts)
            let q = tf.nanoseconds / 4
            let (o, h, l, c, v) = (r.values[0], r.values[1], r.values[2], r.values[3], r.values[4])
            let (second, third) = c >= o ? (l, h) : (h, l)
            ticks.append(MarketTick(instrument: r.id, tsNs: start, price: o))
            ticks.append(MarketTick(instrument: r.id, tsNs: start + q, price: second))
            ticks.append(MarketTick(instrument: r.id, tsNs: start + 2 * q, price: third))
            ticks.append(MarketTick(instrument: r.id, tsNs: start + tf.nanoseconds - 1, price: c, size: v))
        }
        ticks.sort { $0.tsNs < $1.tsNs }
    }

    /// The timeframe whose length is the smallest spacing between rows of one symbol.
    static func inferTimeframe(_ rows: [(InstrumentID, Int64)], name: String) throws(MarketDataError) -> Timeframe {
        var last: [InstrumentID: Int64] = [:]
        var smallest = Int64.max
        for (id, ts) in rows {
            if let prev = last[id], ts > prev { smallest = min(smallest, ts - prev) }
            last[id] = ts
        }
        guard let tf = Timeframe.allCases.first(where: { $0.nanoseconds == smallest }) else {
            throw MarketDataError(.malformedFile, "\(name): cannot tell the candles' timeframe from their spacing; set feeds.replay.timeframe")
        }
        return tf
    }
}
