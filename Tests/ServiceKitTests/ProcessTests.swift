import Foundation
import Logging
import Store
import ServiceKitTesting
import Testing
import Wire
import Contract

@Suite("The echo service as a real process", .timeLimit(.minutes(2)))
struct ProcessTests {
    /// The built executable next to the test bundle (same build folder).
    static var executable: URL? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("tradewind-echo")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    @Test("it starts on free ports, answers `tradewind call`-style calls, and exits 0 on SIGTERM")
    func startCallStop() async throws {
        let exe = try #require(Self.executable, "build tradewind-echo first (swift build)")
        let schema = TestEnvironment.uniqueName("echo")
        let pg = TestEnvironment.postgres
        let process = Process()
        process.executableURL = exe
        process.arguments = [
            "--rpc.port=0", "--admin.port=0", "--postgres.host=\(pg.host)", "--postgres.port=\(pg.port)",
            "--postgres.user=\(schema)", "--postgres.password=pw-\(schema)", "--postgres.admin_user=\(pg.user)",
            "--postgres.database=\(pg.database)", "--redis.port=\(TestEnvironment.redisPort)", "--redis.prefix=\(schema):",
            "--rpc.secret=process-test-secret-0123", "--rpc.callers=operator=process-test-operator-0123", "--postgres.schema=\(schema)",
            "--log.level=info",
        ]
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Learn the RPC port from the JSON log line.
        var port: Int?
        var log = ""
        let handle = stderr.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while port == nil, Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
            for line in log.split(separator: "\n") where line.contains("rpc server listening") {
                if let r = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(line[r].split(separator: ":").last!)
                }
            }
        }
        let rpcPort = try #require(port, "no listening line in: \(log)")
        let result = try await callEcho(port: rpcPort)
        #expect(result == "from-process")
        process.terminate()  // SIGTERM: drain, flush, exit
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let admin = try Store(configuration: pg, logger: Logger(label: "test"))
        try await admin.unsafeExecuteRaw("DROP SCHEMA \"\(schema)\" CASCADE; DROP ROLE \"\(schema)\";")
        await admin.shutdown()
    }

    func callEcho(port: Int) async throws -> String {
        try await withRPCClient(port: port, secret: "process-test-operator-0123") { diagnostics in
            try await diagnostics.echo(.init(text: "from-process")).text
        }
    }
}
