/// Something statements run on: the pool (`Store`, each statement on any connection) or one
/// transaction (`Transaction`). Repositories take it so one method serves inside and outside a
/// transaction.
public protocol SQLQuerying: Sendable {
    /// Runs `sql`; the rows it returns.
    @discardableResult
    func query(_ sql: SQL) async throws(StoreError) -> Rows
}

extension SQLQuerying {
    /// Runs `sql`; how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) async throws(StoreError) -> Int {
        try await query(sql).affectedRows
    }
}

extension Store: SQLQuerying {}
extension Transaction: SQLQuerying {}
