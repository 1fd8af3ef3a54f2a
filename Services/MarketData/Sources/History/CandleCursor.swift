import RPC
/// Page cursors: the open time of the last candle returned, in an opaque wrapper.
enum CandleCursor {
    static func encode(_ openTime: Int64) -> String { "c1." + String(openTime, radix: 36) }

    static func decode(_ text: String) throws(MarketDataError) -> Int64? {
        if text.isEmpty { return nil }
        guard text.hasPrefix("c1."), let v = Int64(text.dropFirst(3), radix: 36) else {
            throw MarketDataError(.invalidArgument, "page.cursor \"\(text.prefix(40))\" is not a cursor this service issued; pass next_cursor back unchanged")
        }
        return v
    }
}
