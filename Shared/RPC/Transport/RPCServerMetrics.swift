import CoreMetrics
import Metrics
import Synchronization

/// The server's connection-level metrics, created once.
final class RPCServerMetrics: Sendable {
    let malformedFrames = Counter(label: "rpc_server_malformed_frames_total")
    let authFailures = Counter(label: "rpc_server_auth_failures_total")
    let unknownMethods = Counter(label: "rpc_server_unknown_methods_total")
    let connections = Gauge(label: "rpc_server_connections")
}

/// One method's call counters, labelled by method and status code (both bounded). The `ok` counter
/// is created with the route, so the common path is one increment; error codes are created on
/// first use.
final class MethodMetrics: Sendable {
    let method: String
    let ok: Counter
    private let errors = Mutex<[RPCError.Code: Counter]>([:])

    init(method: String) {
        self.method = method
        self.ok = Counter(label: "rpc_server_calls_total", dimensions: [("method", method), ("code", "ok")])
    }

    func record(_ code: RPCError.Code) {
        let counter = errors.withLock { cache in
            if let c = cache[code] { return c }
            let c = Counter(label: "rpc_server_calls_total", dimensions: [("method", method), ("code", code.description)])
            cache[code] = c
            return c
        }
        counter.increment()
    }
}
