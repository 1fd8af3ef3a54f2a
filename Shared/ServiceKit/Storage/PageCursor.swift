import RPC

/// Keyset page cursors over (time, id), newest first: opaque to clients, checked when they come
/// back. Every service's list calls page the same way.
public enum PageCursor {
    public static func encode(time: Int64, id: String) -> String { "p1." + String(time, radix: 36) + "." + id }

    /// The position a cursor names, nil for none; a cursor this service did not issue is refused with `invalid`.
    public static func decode<Code: DomainErrorCode>(_ text: String, invalid: Code) throws(DomainError<Code>) -> (time: Int64, id: String)? {
        if text.isEmpty { return nil }
        let parts = text.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "p1", let time = Int64(parts[1], radix: 36) else {
            throw DomainError(invalid, "page.cursor \"\(text.prefix(60))\" is not a cursor this service issued; pass next_cursor back unchanged")
        }
        return (time, String(parts[2]))
    }

    /// The page size asked for: 100 when unset, at most 1000.
    public static func limit(_ asked: UInt32) -> Int { asked == 0 ? 100 : min(Int(asked), 1000) }
}
