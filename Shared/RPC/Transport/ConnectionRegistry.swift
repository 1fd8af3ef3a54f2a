import CoreMetrics
import NIOCore
import Synchronization

/// The server's open connections, so that shutdown can drain each of them and wait for the last.
final class ConnectionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: ServerConnectionHandler] = [:]
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let metrics: RPCServerMetrics

    init(metrics: RPCServerMetrics) { self.metrics = metrics }

    func add(_ connection: ServerConnectionHandler) {
        let n = state.withLock { s in
            s.connections[ObjectIdentifier(connection)] = connection
            return s.connections.count
        }
        metrics.connections.record(n)
    }

    func remove(_ connection: ServerConnectionHandler) {
        let (n, waiters) = state.withLock { s in
            s.connections[ObjectIdentifier(connection)] = nil
            let w = s.connections.isEmpty ? s.waiters : []
            if s.connections.isEmpty { s.waiters.removeAll() }
            return (s.connections.count, w)
        }
        metrics.connections.record(n)
        for w in waiters { w.resume() }
    }

    var all: [ServerConnectionHandler] { state.withLock { Array($0.connections.values) } }

    /// Returns once no connection is open.
    func waitUntilEmpty() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s in
                if s.connections.isEmpty { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}
