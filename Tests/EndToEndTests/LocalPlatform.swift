import Foundation
import Logging
import ServiceKitTesting
import Store
import Synchronization
import Testing

/// The six service executables as separate processes, started the way `scripts/run.sh` starts them
/// but on free loopback ports, with schemas, roles and a Redis prefix of their own, against the
/// test Postgres and Redis. (Not under `timeout(1)` as a guard against orphans: Foundation's
/// `Process` starts children with signals blocked, and `timeout` then never passes SIGTERM on.)
final class LocalPlatform: Sendable {
    static let services = ["market-data", "indicators", "execution", "risk", "orchestrator", "gateway"]
    /// Which peers each service calls, as `peers.<key>`.
    static let peers: [String: [String]] = [
        "indicators": ["market-data"],
        "execution": ["market-data"],
        "risk": ["market-data", "execution"],
        "orchestrator": ["market-data", "risk", "execution"],
        "gateway": ["market-data", "orchestrator", "risk", "execution"],
    ]

    /// Where `swift build` put the executables: beside the test bundle.
    let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    /// Prefix of every schema, role and Redis key of this run.
    let tag = TestEnvironment.uniqueName("e2e")
    let logs: URL
    let rpcPorts: [String: Int]
    let adminPorts: [String: Int]
    let httpPort: Int
    /// Flags for one service beyond the common ones.
    let extraFlags: [String: [String]]
    /// The Postgres and Redis the services use (the test ones unless a test brings its own).
    let postgres: StoreConfiguration
    let redisPort: Int
    private let running = Mutex<[String: Process]>([:])

    init(extraFlags: [String: [String]], postgres: StoreConfiguration = TestEnvironment.postgres, redisPort: Int = TestEnvironment.redisPort) throws {
        self.postgres = postgres
        self.redisPort = redisPort
        var ports = try FreePorts.take(Self.services.count * 2 + 1)
        rpcPorts = Dictionary(uniqueKeysWithValues: Self.services.map { ($0, ports.removeFirst()) })
        adminPorts = Dictionary(uniqueKeysWithValues: Self.services.map { ($0, ports.removeFirst()) })
        httpPort = ports.removeFirst()
        self.extraFlags = extraFlags
        logs = FileManager.default.temporaryDirectory.appendingPathComponent("tradewind-\(tag)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
    }

    func schema(_ service: String) -> String { "\(tag)_\(service.replacingOccurrences(of: "-", with: "_"))" }

    func arguments(_ service: String) -> [String] {
        let pg = postgres
        var flags = [
            "--rpc.port=\(rpcPorts[service]!)", "--admin.port=\(adminPorts[service]!)",
            "--postgres.host=\(pg.host)", "--postgres.port=\(pg.port)", "--postgres.database=\(pg.database)",
            "--postgres.schema=\(schema(service))", "--postgres.password=pw-\(tag)", "--postgres.admin_user=\(pg.user)",
            "--redis.host=\(TestEnvironment.redisHost)", "--redis.port=\(redisPort)", "--redis.prefix=\(tag):",
            "--log.format=text", "--log.level=info",
        ]
        for peer in Self.peers[service] ?? [] {
            flags.append("--peers.\(peer.replacingOccurrences(of: "-", with: "_"))=127.0.0.1:\(rpcPorts[peer]!)")
        }
        if service == "gateway" { flags.append("--http.port=\(httpPort)") }
        return flags + (extraFlags[service] ?? [])
    }

    /// Starts `services` (all by default) and waits until each answers `/readyz`.
    func start(_ services: [String] = LocalPlatform.services) async throws {
        for service in services {
            let binary = binaries.appendingPathComponent("tradewind-\(service)")
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                throw PlatformError("\(binary.path) is missing: build everything first (`swift build --build-tests`, as scripts/test.sh does)")
            }
            let log = logs.appendingPathComponent("\(service).log")
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments(service)
            // Secrets go in the environment, not on the command line (where `ps` shows them).
            var environment = ProcessInfo.processInfo.environment
            environment["TRADEWIND_RPC_SECRET"] = secret(service)
            environment["TRADEWIND_RPC_CALLERS"] = ServiceIdentitiesOfTest.names.map { "\($0)=\(secret($0))" }.joined(separator: ",")
            process.environment = environment
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            running.withLock { $0[service] = process }
        }
        for service in services { try await waitReady(service) }
    }

    private func waitReady(_ service: String) async throws {
        for _ in 0..<300 {
            if let r = await HTTPProbe.get(port: adminPorts[service]!, path: "/readyz"), r.status == 200 { return }
            if running.withLock({ $0[service].map { !$0.isRunning } ?? true }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PlatformError("\(service) did not become ready; its log:\n\(tail(service))")
    }

    /// Kills `service` without warning (SIGKILL), as a crash would; waits until it is gone.
    func crash(_ service: String) async {
        guard let process = running.withLock({ $0.removeValue(forKey: service) }) else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Whether `service` answers `/readyz` now.
    func isReady(_ service: String) async -> Bool {
        await HTTPProbe.get(port: adminPorts[service]!, path: "/readyz")?.status == 200
    }

    /// Sends SIGTERM to `services` (all that run by default) and waits for them to exit.
    func stop(_ services: [String]? = nil) async {
        let stopping = running.withLock { r in
            let names = services ?? Array(r.keys)
            return names.compactMap { name in r.removeValue(forKey: name) }
        }
        for p in stopping where p.isRunning { p.terminate() }
        for p in stopping {
            for _ in 0..<300 where p.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }

    /// Stops everything and removes the schemas and roles of this run.
    func tearDown() async {
        await stop()
        guard let admin = try? Store(configuration: postgres, logger: Logger(label: "e2e")) else { return }
        for service in Self.services {
            try? await admin.unsafeExecuteRaw("DROP SCHEMA IF EXISTS \"\(schema(service))\" CASCADE")
            try? await admin.unsafeExecuteRaw("DROP ROLE IF EXISTS \"\(schema(service))\"")
        }
        await admin.shutdown()
    }

    /// The RPC secret of `identity` (a service, or `operator` for the `tradewind` tools) in this
    /// run: every service has its own, as in production (no development profile here).
    func secret(_ identity: String) -> String { "e2e-\(identity)-secret-\(tag)" }

    /// Runs the built `tradewind` CLI with `arguments`; its exit status and standard output.
    func tradewind(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await Self.run(binaries.appendingPathComponent("tradewind"), arguments)
    }

    /// Runs `executable` with `arguments` to its end; its exit status and its output (standard
    /// output and error together).
    /// With a `deadline`, a process still running then is terminated (its output so far is kept).
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:], deadline: Duration? = nil
    ) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        if let deadline {
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(deadline.components.seconds))) {
                if process.isRunning { process.terminate() }
            }
        }
        // Read on a thread of its own: a blocking read here would hold one of the few threads every
        // test's tasks share (two, on two cores) for the whole run of schemathesis, and with a
        // second such read the other tests' requests stalled for seconds (a chaos request took 10.9 s).
        let output: Data = await withCheckedContinuation { done in
            let reader = pipe.fileHandleForReading
            Thread.detachNewThread { done.resume(returning: reader.readDataToEndOfFile()) }
        }
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The last lines `service` logged.
    func tail(_ service: String, lines: Int = 40) -> String {
        let text = (try? String(contentsOf: logs.appendingPathComponent("\(service).log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Runs `body` on a platform built with `extraFlags`, always tearing it down; a failure adds
    /// the end of every service's log to the report.
    static func with(
        extraFlags: [String: [String]], postgres: StoreConfiguration = TestEnvironment.postgres, redisPort: Int = TestEnvironment.redisPort,
        _ body: (LocalPlatform) async throws -> Void
    ) async throws {
        let platform = try LocalPlatform(extraFlags: extraFlags, postgres: postgres, redisPort: redisPort)
        do {
            try await body(platform)
        } catch {
            for s in services { Issue.record("\(s) log (\(platform.logs.path)):\n\(platform.tail(s, lines: 15))") }
            await platform.tearDown()
            throw error
        }
        await platform.tearDown()
    }
}

struct PlatformError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Free loopback TCP ports: bound to port 0 together (so no two are the same), then released for
/// the services to take.
/// Ports for the platform's services, chosen below the kernel's ephemeral range: a port picked by
/// binding to 0 and released comes from that range, where the next outgoing connection or another
/// test's server may take it before the service binds it ("address already in use"). Below the
/// range only an explicit bind can take a port; each candidate is checked free by binding it.
enum FreePorts {
    static func take(_ count: Int) throws -> [Int] {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) } ?? []
        let ceiling = min(range.first ?? 32768, 49152) - 1
        let floor = max(10_000, ceiling - 12_000)
        var ports: [Int] = []
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts < 10_000 else { throw PlatformError("no free loopback port below \(ceiling + 1)") }
            let port = Int.random(in: floor...ceiling)
            if !ports.contains(port), bindable(port) { ports.append(port) }
        }
        return ports
    }

    /// Whether `port` on 127.0.0.1 can be bound now.
    static func bindable(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// The identities of ServiceKit's call graph, spelled out here so the test does not lean on the
/// list it checks.
enum ServiceIdentitiesOfTest {
    static let names = ["market-data", "indicators", "execution", "risk", "orchestrator", "gateway", "operator"]
}
