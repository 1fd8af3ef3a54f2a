import Logging
import Synchronization

/// Keeps every log line (level, message and metadata) for tests that read the logs: an outage
/// logged once, a secret in no line.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Every line so far, as "level message [metadata]".
    public var all: [String] { lines.withLock { $0 } }

    /// A logger whose lines this recorder keeps.
    public var logger: Logger {
        Logger(label: "recorded") { _ in Handler(recorder: self) }
    }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
        }
    }
}
