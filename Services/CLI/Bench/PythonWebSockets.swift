import ArgumentParser
import Foundation

/// Python's `websockets` library as the baseline of the WebSocket figures: its asyncio server
/// (`Benchmarks/websockets/ws_server.py`, `broadcast` to every client) measured by the same
/// harness, in the same run. Installed once, pinned, into `.build/bench-websockets-<version>`.
enum PythonWebSockets {
    static let version = "17.4"

    /// The repository's file at `path`, looked for from the working directory and from this
    /// executable's place in `.build`.
    static func repositoryFile(_ path: String) throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath]
        var folder = URL(fileURLWithPath: ChildProcess.currentExecutable).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.path)
            folder.deleteLastPathComponent()
        }
        guard let found = candidates.map({ "\($0)/\(path)" }).first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ValidationError("cannot find \(path): run the bench from the repository")
        }
        return found
    }

    /// The venv's python with `websockets` installed (made on first use).
    static func python() throws -> String {
        let root = URL(fileURLWithPath: try repositoryFile("Package.swift")).deletingLastPathComponent().path
        let venv = "\(root)/.build/bench-websockets-\(version)"
        let python = "\(venv)/bin/python"
        if !FileManager.default.isExecutableFile(atPath: python) || !FileManager.default.fileExists(atPath: "\(venv)/.installed") {
            for (tool, arguments) in [("/usr/bin/python3", ["-m", "venv", venv]), ("\(venv)/bin/pip", ["install", "-q", "websockets==\(version)"])] {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: tool)
                process.arguments = arguments
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else { throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed") }
            }
            _ = FileManager.default.createFile(atPath: "\(venv)/.installed", contents: Data())
        }
        return python
    }

    /// The baseline server sending `rate` messages a second to each client (0: flat out), measured
    /// by the harness with `clients` clients.
    static func run(rate: Double, clients: Int, warmup: Double, seconds: Double) async throws -> HarnessFigures {
        let server = try ChildProcess(executable: try python(), arguments: [try repositoryFile("Benchmarks/websockets/ws_server.py"), "--rate", "\(rate)"])
        defer { server.stop() }
        var port = 0
        for await line in server.lines where line.hasPrefix("listening ") {
            port = Int(line.dropFirst("listening ".count)) ?? 0
            break
        }
        guard port > 0 else { throw ValidationError("the websockets server did not start: \(server.errors)") }
        // It produces by itself once a client is there.
        return try await WebSocketHarness.run(
            port: port, subscribe: #"{"type":"subscribe","symbol":"XRPUSDT"}"#, clients: clients, warmup: warmup, seconds: seconds) { _ in }
    }
}
