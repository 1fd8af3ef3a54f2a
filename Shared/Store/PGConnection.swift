import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection. Blocking: it is only ever used on a `Store` worker thread, by one caller
/// at a time (the pool hands it out exclusively).
final class PGConnection: @unchecked Sendable {
    // @unchecked Sendable: the PGconn is used by one thread at a time, enforced by the pool's
    // lease (a connection is in the idle list or leased to exactly one operation).
    private let conn: OpaquePointer

    init(conninfo: String) throws(StoreError) {
        guard let c = PQconnectdb(conninfo) else {
            throw StoreError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(c) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(c)).trimmingSpaces
            PQfinish(c)
            throw StoreError(code: .connectionFailed, message: "cannot connect to Postgres: \(message)")
        }
        conn = c
        PQsetNoticeProcessor(c, { _, _ in }, nil)
    }

    deinit { PQfinish(conn) }

    var isHealthy: Bool { PQstatus(conn) == CONNECTION_OK }

    /// Runs one statement with bound text parameters.
    func execute(_ sql: SQL) throws(StoreError) -> Rows {
        let params = sql.parameters
        let result: OpaquePointer? = withCStrings(params) { values in
            PQexecParams(conn, sql.text, Int32(params.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs SQL text with no parameters, possibly several statements (migrations, DDL).
    func executeRaw(_ text: String) throws(StoreError) {
        _ = try check(PQexec(conn, text))
    }

    /// COPY ... FROM STDIN with rows already in COPY text format.
    func copyIn(_ statement: String, data: [UInt8]) throws(StoreError) -> Int {
        let start = PQexec(conn, statement)
        guard PQresultStatus(start) == PGRES_COPY_IN else { _ = try check(start); return 0 }
        PQclear(start)
        let sent = data.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { PQputCopyData(conn, $0.baseAddress, Int32($0.count)) }
        }
        let ended = PQputCopyEnd(conn, sent == 1 ? nil : "client failed to send data")
        guard sent == 1, ended == 1 else { throw connectionError("COPY failed") }
        let rows = try check(PQgetResult(conn))
        while let extra = PQgetResult(conn) { PQclear(extra) }
        return rows.affectedRows
    }

    private func check(_ result: OpaquePointer?) throws(StoreError) -> Rows {
        guard let result else { throw connectionError("no result") }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Rows(result: result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
            let message = String(cString: PQresultErrorMessage(result)).trimmingSpaces
            PQclear(result)
            throw StoreError.fromServer(sqlState: state, message: message)
        }
    }

    private func connectionError(_ what: String) -> StoreError {
        StoreError(code: .connectionFailed, message: "\(what): \(String(cString: PQerrorMessage(conn)).trimmingSpaces)")
    }
}

/// Calls `body` with C strings for `values` (NULL for nil), valid for the call.
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = values.map { $0.map { strdup($0) } }
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeMutableBufferPointer { buf in body(buf.map { $0.map { UnsafePointer($0) } }) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let l = s.last, l == "\n" || l == " " { s.removeLast() }
        return String(s)
    }
}
