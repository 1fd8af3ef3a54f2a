import CLibPQ

/// The rows of a query result, fully received. Owns the libpq result and frees it.
public final class Rows: @unchecked Sendable, RandomAccessCollection {
    // @unchecked Sendable: the PGresult is immutable once received and freed only in deinit.
    private let result: OpaquePointer
    public let columns: [String]
    public let startIndex = 0
    public let endIndex: Int

    init(result: OpaquePointer) {
        self.result = result
        self.endIndex = Int(PQntuples(result))
        self.columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
    }

    deinit { PQclear(result) }

    /// Rows changed by INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    public subscript(position: Int) -> Row { Row(rows: self, index: Int32(position)) }

    /// One row; read columns by position or name.
    public struct Row: Sendable {
        let rows: Rows
        let index: Int32

        /// The column at `column`, decoded; NULL or text that does not fit `T` throws.
        public func decode<T: SQLDecodable>(_ type: T.Type = T.self, at column: Int) throws(StoreError) -> T {
            guard let v = try decodeIfPresent(T.self, at: column) else {
                throw StoreError(code: .decodingFailed, message: "column \(rows.columns[column]) is NULL; expected \(T.self)")
            }
            return v
        }

        /// The column at `column`, or nil when NULL.
        public func decodeIfPresent<T: SQLDecodable>(_ type: T.Type = T.self, at column: Int) throws(StoreError) -> T? {
            guard column >= 0, column < rows.columns.count else {
                throw StoreError(code: .decodingFailed, message: "column \(column) is out of range (the result has \(rows.columns.count))")
            }
            if PQgetisnull(rows.result, index, Int32(column)) == 1 { return nil }
            let text = String(cString: PQgetvalue(rows.result, index, Int32(column)))
            guard let v = T(sqlText: text) else {
                throw StoreError(code: .decodingFailed, message: "column \(rows.columns[column]) holds \"\(text.prefix(40))\", which is not a \(T.self)")
            }
            return v
        }

        /// The column named `name`, decoded.
        public func decode<T: SQLDecodable>(_ type: T.Type = T.self, named name: String) throws(StoreError) -> T {
            guard let i = rows.columns.firstIndex(of: name) else {
                throw StoreError(code: .decodingFailed, message: "no column named \(name); the result has \(rows.columns.joined(separator: ", "))")
            }
            return try decode(T.self, at: i)
        }
    }
}
