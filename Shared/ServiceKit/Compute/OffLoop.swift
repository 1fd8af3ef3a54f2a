import NIOPosix

/// Where a handler runs CPU-heavy work (a backtest, an optimisation, a long indicator series): a
/// bounded pool of threads (one a core, NIO's shared pool), never the connection's event loop, so
/// other calls on the same connection are answered meanwhile.
public enum OffLoop {
    /// `body` on the pool; its result or its error.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
