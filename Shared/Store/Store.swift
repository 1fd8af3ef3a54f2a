import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Postgres over libpq: a pool of connections used on dedicated worker threads, so no libpq call
/// ever blocks an event loop or the cooperative pool.
///
/// Run it as a `Service` (it closes its connections on shutdown) or call `shutdown()` yourself.
public final class Store: Service, Sendable {
    public let configuration: StoreConfiguration
    let logger: Logger
    private let threads: NIOThreadPool
    private let pool = Mutex(PoolState())

    private struct PoolState {
        var idle: [PGConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<PGConnection?, Never>] = []
        var closed = false
    }

    public init(configuration: StoreConfiguration, logger: Logger) throws(StoreError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.threads = NIOThreadPool(numberOfThreads: configuration.poolSize)
        threads.start()
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Closes every connection and stops the worker threads; later calls fail with `closed`.
    public func shutdown() async {
        // Idle connections close (PQfinish) as the pool lets go of them; leased ones close when
        // their operation returns them to a closed pool.
        let waiters = pool.withLock { p in
            p.closed = true
            p.idle.removeAll()
            defer { p.waiters.removeAll() }
            return p.waiters
        }
        for w in waiters { w.resume(returning: nil) }
        try? await threads.shutdownGracefully()
    }

    // MARK: Queries

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws(StoreError) -> Rows {
        try await withConnection { c throws(StoreError) in try c.execute(sql) }
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func withTransaction<R: Sendable>(_ body: (Transaction) async throws -> R) async throws -> R {
        let connection = try await acquire()
        defer { release(connection) }
        let tx = Transaction(connection: connection, store: self)
        try await tx.run { c throws(StoreError) in try c.executeRaw("BEGIN") }
        do {
            let result = try await body(tx)
            try await tx.run { c throws(StoreError) in try c.executeRaw("COMMIT") }
            return result
        } catch {
            try? await tx.run { c throws(StoreError) in try c.executeRaw("ROLLBACK") }
            throw error
        }
    }

    /// Inserts many rows with one COPY: the fast path for high-rate tables (candles, ticks, snapshots).
    @discardableResult
    public func copyRows(
        into table: SQLIdentifier, schema: SQLIdentifier? = nil, columns: [SQLIdentifier], rows: [[(any SQLEncodable)?]]
    ) async throws(StoreError) -> Int {
        let target = (schema.map { "\"\($0.name)\"." } ?? "") + "\"\(table.name)\""
        let statement = "COPY \(target) (\(columns.map { "\"\($0.name)\"" }.joined(separator: ", "))) FROM STDIN"
        let data = try CopyText.encode(rows, columns: columns.count)
        return try await withConnection { c throws(StoreError) in try c.copyIn(statement, data: data) }
    }

    /// Runs SQL text as is, possibly several statements. For migrations and DDL the program owns;
    /// never for values (use `query` with interpolation).
    public func unsafeExecuteRaw(_ text: String) async throws(StoreError) {
        try await withConnection { c throws(StoreError) in try c.executeRaw(text) }
    }

    // MARK: Pool

    func withConnection<R: Sendable>(_ body: @escaping @Sendable (PGConnection) throws(StoreError) -> R) async throws(StoreError) -> R {
        let connection = try await acquire()
        defer { release(connection) }
        return try await Self.onThread(threads, connection, body)
    }

    static func onThread<R: Sendable>(
        _ threads: NIOThreadPool, _ connection: PGConnection, _ body: @escaping @Sendable (PGConnection) throws(StoreError) -> R
    ) async throws(StoreError) -> R {
        do {
            return try await threads.runIfActive { () throws -> R in try body(connection) }
        } catch let e as StoreError {
            throw e
        } catch {
            throw StoreError(code: .closed, message: "the store is shut down")
        }
    }

    private func acquire() async throws(StoreError) -> PGConnection {
        enum Next { case use(PGConnection), open, wait, closed }
        let next: Next = pool.withLock { p in
            if p.closed { return .closed }
            if let c = p.idle.popLast() { return .use(c) }
            if p.open < configuration.poolSize {
                p.open += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .use(let c): return c
        case .closed: throw StoreError(code: .closed, message: "the store is shut down")
        case .open:
            let info = configuration.conninfo
            do {
                return try await threads.runIfActive { () throws -> PGConnection in try PGConnection(conninfo: info) }
            } catch {
                pool.withLock { $0.open -= 1 }
                throw (error as? StoreError) ?? StoreError(code: .closed, message: "the store is shut down")
            }
        case .wait:
            let c = await withCheckedContinuation { (w: CheckedContinuation<PGConnection?, Never>) in
                let immediate: PGConnection?? = pool.withLock { p in
                    if p.closed { return .some(nil) }
                    if let c = p.idle.popLast() { return .some(c) }
                    p.waiters.append(w)
                    return .none
                }
                if let immediate { w.resume(returning: immediate) }
            }
            guard let c else { throw StoreError(code: .closed, message: "the store is shut down") }
            return c
        }
    }

    private func release(_ connection: PGConnection) {
        let waiter: CheckedContinuation<PGConnection?, Never>? = pool.withLock { p in
            guard connection.isHealthy, !p.closed else {
                p.open -= 1
                return nil
            }
            if !p.waiters.isEmpty { return p.waiters.removeFirst() }
            p.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }

    var threadPool: NIOThreadPool { threads }
}

/// Statements inside `Store.withTransaction`, all on the transaction's one connection.
public struct Transaction: Sendable {
    let connection: PGConnection
    let store: Store

    func run<R: Sendable>(_ body: @escaping @Sendable (PGConnection) throws(StoreError) -> R) async throws(StoreError) -> R {
        try await Store.onThread(store.threadPool, connection, body)
    }

    @discardableResult
    public func query(_ sql: SQL) async throws(StoreError) -> Rows {
        try await run { c throws(StoreError) in try c.execute(sql) }
    }

    /// SQL text as is (migration files); never for values.
    public func unsafeExecuteRaw(_ text: String) async throws(StoreError) {
        try await run { c throws(StoreError) in try c.executeRaw(text) }
    }
}
