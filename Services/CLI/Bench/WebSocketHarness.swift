import ArgumentParser
import CBenchBaselines
import Foundation
import Synchronization

/// `tradewind bench ws-harness`: WebSocket clients in a process of their own (the C loop in
/// `Benchmarks/CBaselines/wsload.c`), so a server is measured without its clients' work counted
/// against it. Prints "ready" once every client has the server's first message, then one JSON
/// object of what arrived after the warm-up: delivered, delivered/s, latency p50/p99/max.
struct WebSocketHarnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ws-harness", abstract: "WebSocket clients in their own process (used by `bench gateway`).", shouldDisplay: false)

    @Option(help: "IPv4 address.") var host = "127.0.0.1"
    @Option var port: Int
    @Option var path = "/ws"
    @Option(help: "One extra request header line.") var header: String?
    @Option(help: "The text message each client sends once upgraded.") var subscribe: String?
    @Option(help: "The JSON key of the server's send time in ns.") var stamp = "timestamp_ns"
    @Option var clients = 100
    @Option var warmup = 1.0
    @Option var seconds = 3.0

    func run() throws {
        var result = tw_wsload_result()
        let status = host.withCString { host in
            path.withCString { path in
                stamp.withCString { stamp in
                    withOptionalCString(header) { header in
                        withOptionalCString(subscribe) { subscribe in
                            var options = tw_wsload_options(
                                host: host, port: Int32(port), path: path, header: header, subscribe: subscribe, stamp: stamp, clients: clients,
                                warmup_ns: UInt64(warmup * 1e9), measure_ns: UInt64(seconds * 1e9))
                            return tw_wsload(&options, &result)
                        }
                    }
                }
            }
        }
        guard status == 0 else { throw ValidationError("ws-harness failed at step \(-status) (see wsload.c)") }
        printFigures("ws_harness", [
            ("clients", Double(result.connected)), ("closed", Double(result.closed)), ("delivered", Double(result.delivered)),
            ("delivered_per_s", Double(result.delivered) / result.seconds), ("stamped", Double(result.stamped)),
            ("p50_ms", result.p50_us / 1000), ("p99_ms", result.p99_us / 1000), ("max_ms", result.max_us / 1000),
        ])
    }
}

private func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

/// What one harness run measured.
struct HarnessFigures: Sendable {
    var delivered = 0.0, deliveredPerSecond = 0.0, p50Ms = Double.nan, p99Ms = Double.nan, maxMs = Double.nan, closed = 0.0

    /// The figures under `name_…`.
    func named(_ name: String) -> [(String, Double)] {
        [
            ("\(name)_delivered_per_s", deliveredPerSecond), ("\(name)_p50_ms", p50Ms), ("\(name)_p99_ms", p99Ms), ("\(name)_max_ms", maxMs),
            ("\(name)_closed", closed),
        ]
    }
}

/// Runs the harness as a child process of this executable: `produce` is started once every client
/// is subscribed (with how long to go on), and the harness's figures are returned when it ends.
enum WebSocketHarness {
    static func run(
        port: Int, path: String = "/ws", subscribe: String, clients: Int, warmup: Double, seconds: Double,
        produce: @escaping @Sendable (_ seconds: Double) async throws -> Void
    ) async throws -> HarnessFigures {
        let arguments = [
            "bench", "ws-harness", "--port", "\(port)", "--path", path, "--clients", "\(clients)", "--warmup", "\(warmup)", "--seconds", "\(seconds)",
            "--subscribe", subscribe,
        ]
        let child = try ChildProcess(executable: ChildProcess.currentExecutable, arguments: arguments)
        var producer: Task<Void, any Error>?
        defer { producer?.cancel() }
        for await line in child.lines {
            if line == "ready" {
                // A little longer than the harness reads, so it never waits on an idle server.
                producer = Task { try await produce(warmup + seconds + 0.5) }
            } else if line.hasPrefix("{\"bench\":\"ws_harness\"") {
                try await producer?.value
                return try figures(line)
            }
        }
        throw ValidationError("the WebSocket harness ended without figures: \(child.errors)")
    }

    static func figures(_ line: String) throws -> HarnessFigures {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { throw ValidationError("cannot read \(line)") }
        func number(_ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? .nan }
        return HarnessFigures(
            delivered: number("delivered"), deliveredPerSecond: number("delivered_per_s"), p50Ms: number("p50_ms"), p99Ms: number("p99_ms"),
            maxMs: number("max_ms"), closed: number("closed"))
    }
}

/// A child process whose standard output is read line by line (standard error kept for errors).
final class ChildProcess: Sendable {
    let lines: AsyncStream<String>
    private let process: Mutex<Process>
    private let stderr = Mutex("")

    /// This executable, to run another of its commands as a child.
    static var currentExecutable: String { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0] }

    init(executable: String, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        self.process = Mutex(process)
        let (lines, continuation) = AsyncStream<String>.makeStream()
        self.lines = lines
        let reader = out.fileHandleForReading, errors = err.fileHandleForReading
        // Blocking reads on threads of their own: the child's output never waits on the async pool.
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: 10) {
                    continuation.yield(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
            }
            continuation.finish()
        }
        Thread.detachNewThread { [self] in
            while true {
                let chunk = errors.availableData
                if chunk.isEmpty { break }
                stderr.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
        }
    }

    /// What the child wrote on standard error so far.
    var errors: String { stderr.withLock { $0 } }

    /// Stops the child and waits for it. SIGKILL, not SIGTERM: a child of a service process
    /// inherits its ignored SIGTERM (ServiceLifecycle handles the signal itself), and Foundation's
    /// `Process` does not reset dispositions.
    func stop() {
        process.withLock { p in
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
    }

    deinit { process.withLock { if $0.isRunning { kill($0.processIdentifier, SIGKILL) } } }
}
