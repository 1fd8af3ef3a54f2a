/// A quote as the fields of its Redis hash, and back.
enum QuoteFields {
    static func encode(_ q: Quote) -> [(String, String)] {
        [("ts_ns", String(q.tsNs)), ("last", "\(q.last)"), ("bid", "\(q.bid)"), ("ask", "\(q.ask)"),
         ("change_24h", "\(q.change24h)"), ("change_24h_pct", "\(q.change24hPct)"), ("volume_24h", "\(q.volume24h)"),
         ("high_24h", "\(q.high24h)"), ("low_24h", "\(q.low24h)")]
    }

    static func decode(_ fields: [String: String], symbol: String) -> Quote? {
        guard let ts = fields["ts_ns"].flatMap(Int64.init), let last = fields["last"].flatMap(Double.init) else { return nil }
        func d(_ k: String) -> Double { fields[k].flatMap(Double.init) ?? 0 }
        return Quote(symbol: symbol, tsNs: ts, last: last, bid: d("bid"), ask: d("ask"), change24h: d("change_24h"),
                     change24hPct: d("change_24h_pct"), volume24h: d("volume_24h"), high24h: d("high_24h"), low24h: d("low_24h"))
    }
}
