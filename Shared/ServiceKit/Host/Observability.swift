import Logging
import Metrics
import Prometheus
import Synchronization

/// Process-wide logging and metrics set-up. swift-log and swift-metrics have one global backend per
/// process; this installs ours once (later calls reuse it), so several hosts can share a process in tests.
public enum Observability {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The Prometheus registry behind `/metrics`, installed on first use.
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { s in
            if let r = s { return r }
            let r = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: r))
            s = r
            return r
        }
    }

    private static let loggingBootstrapped = Mutex(false)

    /// Installs JSON (or plain text) logs for the process, once.
    public static func bootstrapLogging(service: String, level: Logger.Level, format: String) {
        loggingBootstrapped.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                if format == "text" {
                    var h = StreamLogHandler.standardError(label: label)
                    h.logLevel = level
                    return h
                }
                return JSONLogHandler(service: service, level: level)
            }
        }
    }
}
