import Metrics
import Synchronization

/// The server's metrics, created once; per-call counters are labelled by method and status code
/// only (both bounded: methods come from the router, unknown ones count as "unknown").
final class RPCServerMetrics: Sendable {
    let malformedFrames = Counter(label: "rpc_server_malformed_frames_total")
    let authFailures = Counter(label: "rpc_server_auth_failures_total")
    let connections = Gauge(label: "rpc_server_connections")
    private let calls = Mutex<[String: Counter]>([:])

    func record(method: String, code: String) {
        let key = method + "|" + code
        let counter = calls.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: "rpc_server_calls_total", dimensions: [("method", method), ("code", code)])
            cache[key] = c
            return c
        }
        counter.increment()
    }
}
