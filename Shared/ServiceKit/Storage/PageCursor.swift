import RPC
import Wire

/// Keyset page cursors over (time, id), newest first: opaque to clients, checked when they come
/// back. Every service's list calls page the same way:
///
///     let paging = try PageCursor.Paging(request.page, invalid: .invalidArgument)
///     let rows = try await Table.page(after: paging.after, limit: paging.fetch, store)
///     let (page, info) = paging.page(rows) { ($0.createdAtNs, $0.id) }
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

    /// One list call's paging: where to start, how many rows to read, and the page made of them.
    public struct Paging: Sendable {
        /// The page size.
        public let limit: Int
        /// The position after which the page starts, nil for the first page.
        public let after: (time: Int64, id: String)?
        /// Rows to read: one more than the page, to know whether another follows.
        public var fetch: Int { limit + 1 }

        /// The paging `request` asks for; a foreign cursor is refused with `invalid`.
        public init<Code: DomainErrorCode>(_ request: PB.PageRequest?, invalid: Code) throws(DomainError<Code>) {
            limit = PageCursor.limit(request?.limit ?? 0)
            after = try PageCursor.decode(request?.cursor ?? "", invalid: invalid)
        }

        /// The page of `rows` (read with `fetch`) and its info, the cursor naming the last row's `position`.
        public func page<Row>(_ rows: [Row], position: (Row) -> (time: Int64, id: String)) -> ([Row], PB.PageInfo) {
            let page = Array(rows.prefix(limit))
            let next = rows.count > limit ? page.last.map { let p = position($0); return PageCursor.encode(time: p.time, id: p.id) } ?? "" : ""
            return (page, PB.PageInfo(nextCursor: next, hasMore: !next.isEmpty))
        }
    }
}
