import Foundation

/// `wrk` as the load generator: a separate C process with its own thread, so the figures compare
/// with servers measured the same way. Its `--latency` report is parsed for req/s, p50 and p99.
enum WrkLoad {
    struct Result {
        var requestsPerSecond, p50Ms, p99Ms: Double
        var non2xx: Int
    }

    /// The installed `wrk`, if any.
    static func find() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/wrk" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// One second of warm-up, then `seconds` measured, on one thread with `connections` connections.
    static func run(_ wrk: String, url: String, token: String, connections: Int, seconds: Double) throws -> Result {
        _ = try invoke(wrk, ["-t1", "-c\(connections)", "-d1s", "-H", "Authorization: Bearer \(token)", url])
        let report = try invoke(wrk, ["-t1", "-c\(connections)", "-d\(Int(seconds.rounded()))s", "--latency", "-H", "Authorization: Bearer \(token)", url])
        return try parse(report)
    }

    static func invoke(_ wrk: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    /// `Requests/sec: 55012.34`, the `Latency Distribution` lines (`50%  1.10ms`, `99%  3.20ms`)
    /// and `Non-2xx or 3xx responses: N`.
    static func parse(_ report: String) throws -> Result {
        func value(after label: String) -> Substring? {
            report.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }
                .map { $0.trimmingCharacters(in: .whitespaces).dropFirst(label.count).trimmingCharacters(in: .whitespaces)[...] }
        }
        func milliseconds(_ text: Substring?) -> Double? {
            guard let text else { return nil }
            for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where text.hasSuffix(unit) {
                return Double(text.dropLast(unit.count)).map { $0 * scale }
            }
            return nil
        }
        guard let rate = value(after: "Requests/sec:").flatMap({ Double($0) }), let p50 = milliseconds(value(after: "50%")),
            let p99 = milliseconds(value(after: "99%"))
        else { throw WrkReportError(report: report) }
        return Result(requestsPerSecond: rate, p50Ms: p50, p99Ms: p99, non2xx: value(after: "Non-2xx or 3xx responses:").flatMap { Int($0) } ?? 0)
    }
}

struct WrkReportError: Error, CustomStringConvertible {
    let report: String
    var description: String { "cannot read wrk's report:\n\(report)" }
}
