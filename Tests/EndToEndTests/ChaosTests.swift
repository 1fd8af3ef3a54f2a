import Foundation
import Logging
import ServiceKitTesting
import Store
import Synchronization
import Testing

/// The six processes under continuous order and bot load through the gateway, on a Postgres and a
/// Redis of the test's own: each service killed with SIGKILL in turn and restarted, then Redis,
/// then Postgres crashed and brought back. Afterwards every acknowledged order is there exactly
/// once, no client order id made two orders, no order has two fills, the bot runs on; during each
/// outage the gateway answered 503 naming what is missing, within its deadline; each service was
/// serving again within a bound. The figures are printed as one JSON line.
@Suite("Chaos: crashes under load", .serialized)
struct ChaosTests {
    /// How long a request may take during an outage: the gateway's connect wait (2 s) is what a
    /// missing peer costs; anything near this is a hang.
    static let deadlineSeconds = 10.0
    /// How long a crashed piece may take to serve again after it is restarted.
    static let recoveryBoundSeconds = 30.0

    @Test func nothingIsLostWhenAnythingCrashes() async throws {
        let infra = try PrivateInfrastructure.start()
        defer { infra.stop() }
        try await LocalPlatform.with(extraFlags: JourneyTests.flags, postgres: infra.postgres, redisPort: infra.redisPort) { platform in
            try await platform.start()
            let http = HTTPJSONClient(port: platform.httpPort)
            var r = try await http.call("POST", "/api/auth/register", json: #"{"email":"ops@example.com","password":"correct horse"}"#)
            r = try await http.call("POST", "/api/auth/register", json: #"{"email":"load@example.com","password":"correct horse"}"#)
            let trader = try #require(r.body["access_token"] as? String)
            let account = try #require((r.body["user"] as? [String: Any])?["account_id"] as? String)
            _ = try await eventually("BTC/USDT has a price") {
                (try await http.call("GET", "/api/assets/BTCUSDT", token: trader).body["price"] as? NSNumber).flatMap { $0.doubleValue > 0 ? true : nil }
            }
            r = try await http.call("POST", "/api/bots", token: trader, json: """
                {"name":"chaos","symbol":"BTCUSDT","timeframe":"1m","strategy":{"name":"trend_following","consensus_threshold":0.01},
                 "risk":{"risk_per_trade":0.01,"stop_loss_pct":0.05,"take_profit_pct":0.1}}
                """)
            let bot = try #require(r.body["id"] as? String)
            #expect(try await http.call("POST", "/api/bots/\(bot)/start", token: trader).status == 200)

            let load = TradeLoad(http: http, token: trader)
            let loader = Task { await load.run() }
            try await Task.sleep(for: .seconds(2))
            var faults: [FaultFigures] = []
            // Each service in turn: what the gateway answers while it is away, then how long it takes to come back.
            for service in LocalPlatform.services {
                let crashed = Date()
                await platform.crash(service)
                let answer = try await Self.outageAnswer(service, http: http, trader: trader, platform: platform)
                try await platform.start([service])
                faults.append(FaultFigures(fault: "kill -9 \(service)", answer: answer, recoverySeconds: Date().timeIntervalSince(crashed)))
                try await Task.sleep(for: .seconds(1))
            }
            for piece in ["redis", "postgres"] {
                let crashed = Date()
                try await infra.run("crash", piece)
                let answer = await Self.readiness(platform, naming: piece)
                try await infra.run("revive", piece)
                var ready = false
                for _ in 0..<Int(Self.recoveryBoundSeconds * 10) {
                    var all = true
                    for service in LocalPlatform.services where !(await platform.isReady(service)) { all = false }
                    if all, try await http.call("GET", "/api/portfolio", token: trader).status == 200 { ready = true; break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(ready, "the platform did not serve again after \(piece) came back")
                faults.append(FaultFigures(fault: "crash \(piece)", answer: answer, recoverySeconds: Date().timeIntervalSince(crashed)))
                try await Task.sleep(for: .seconds(1))
            }
            let decisionsBefore = try await Self.decisionCount(http, trader, bot)
            await load.stop()
            await loader.value
            // Orders whose answer was lost are tried again with the same client order id, as a client would.
            await load.settle()

            // The bot was restarted with the orchestrator and keeps deciding.
            let resumed = try await eventually(30) {
                let r = try await http.call("GET", "/api/bots/\(bot)", token: trader)
                guard r.body["state"] as? String == "running" else { return false }
                return try await Self.decisionCount(http, trader, bot) > decisionsBefore
            }
            #expect(resumed, "the bot did not resume after the faults")

            // Every acknowledged order exactly once; no client order id twice; no order filled twice.
            let ledger = try await Self.ledger(platform: platform, account: account)
            let acknowledged = load.acknowledged
            let lost = acknowledged.filter { ledger.orders[$0.value] == nil }
            let duplicatedClientIds = ledger.clientIdsUsedTwice
            let multiplyFilled = ledger.ordersFilledTwice
            #expect(lost.isEmpty, "acknowledged orders missing: \(lost.prefix(5))")
            #expect(duplicatedClientIds.isEmpty && multiplyFilled.isEmpty, "\(duplicatedClientIds.prefix(5)) \(multiplyFilled.prefix(5))")
            #expect(ledger.tradeIdsUnique)
            for fault in faults {
                #expect(fault.answer.ok, "\(fault.fault): \(fault.answer.description)")
                #expect(fault.recoverySeconds < Self.recoveryBoundSeconds, "\(fault.fault) took \(fault.recoverySeconds) s")
            }
            #expect(load.slowest < Self.deadlineSeconds, "a request took \(load.slowest) s")
            #expect(acknowledged.count >= 10, "the load barely ran: \(acknowledged.count) orders")

            let figures: [String: Any] = [
                "acknowledged": acknowledged.count, "lost": lost.count, "duplicated": duplicatedClientIds.count + multiplyFilled.count,
                "orders_in_ledger": ledger.orders.count, "fills": ledger.fills, "trades": ledger.trades, "retried_after_failure": load.retried,
                "refused_during_outages": load.refusals, "slowest_request_s": (load.slowest * 1000).rounded() / 1000,
                "faults": faults.map { ["fault": $0.fault, "recovery_s": ($0.recoverySeconds * 100).rounded() / 100, "answer": $0.answer.description] },
            ]
            let line = String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]), as: UTF8.self)
            print("chaos: \(line)")
        }
    }

    /// What the gateway answers, while `service` is down, to a request that needs it.
    static func outageAnswer(_ service: String, http: HTTPJSONClient, trader: String, platform: LocalPlatform) async throws -> OutageAnswer {
        let path: String
        switch service {
        case "market-data": path = "/api/assets/BTCUSDT/history?timeframe=1m&limit=5"
        case "execution": path = "/api/portfolio"
        case "risk": path = "/api/risk/kill-switch"
        case "orchestrator": path = "/api/bots"
        case "gateway":
            // Nobody to answer: the connection is refused at once, not left hanging.
            let started = Date()
            let refused = await HTTPProbe.get(port: platform.httpPort, path: "/api/assets") == nil
            return OutageAnswer(status: refused ? 0 : -1, names: refused, seconds: Date().timeIntervalSince(started))
        default:
            // No gateway route needs indicators: its own readiness says it is gone.
            return OutageAnswer(status: await platform.isReady(service) ? 200 : 503, names: true, seconds: 0)
        }
        let started = Date()
        let r = try await http.call("GET", path, token: trader)
        return OutageAnswer(status: r.status, names: errorMessage(r.body)?.contains(service) == true, seconds: Date().timeIntervalSince(started))
    }

    /// Whether the services say, on `/readyz`, that `piece` is missing.
    static func readiness(_ platform: LocalPlatform, naming piece: String) async -> OutageAnswer {
        let started = Date()
        for _ in 0..<50 {
            if let r = await HTTPProbe.get(port: platform.adminPorts["gateway"]!, path: "/readyz"), r.status == 503, r.body.contains(piece) {
                return OutageAnswer(status: 503, names: true, seconds: Date().timeIntervalSince(started))
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return OutageAnswer(status: 200, names: false, seconds: Date().timeIntervalSince(started))
    }

    static func decisionCount(_ http: HTTPJSONClient, _ token: String, _ bot: String) async throws -> Int {
        (try await http.call("GET", "/api/bots/\(bot)/decisions?limit=500", token: token).body["decisions"] as? [[String: Any]])?.count ?? 0
    }

    /// The account's orders, fills and trades as execution stored them.
    struct Ledger {
        var orders: [String: String] = [:]  // order id → client order id
        var clientIdsUsedTwice: [String] = []
        var ordersFilledTwice: [String] = []
        var fills = 0
        var trades = 0
        var tradeIdsUnique = true
    }

    static func ledger(platform: LocalPlatform, account: String) async throws -> Ledger {
        var configuration = platform.postgres
        configuration.schema = platform.schema("execution")
        configuration.poolSize = 1
        let store = try Store(configuration: configuration, logger: Logger(label: "chaos"))
        defer { Task { await store.shutdown() } }
        var ledger = Ledger()
        for row in try await store.query("SELECT id::text, client_order_id FROM orders WHERE account_id = \(account)::uuid") {
            ledger.orders[try row.decode(at: 0)] = try row.decode(at: 1)
        }
        ledger.clientIdsUsedTwice = try await store.query("""
            SELECT client_order_id FROM orders WHERE account_id = \(account)::uuid GROUP BY client_order_id HAVING count(*) > 1
            """).map { try $0.decode(at: 0) }
        ledger.ordersFilledTwice = try await store.query("""
            SELECT order_id::text FROM fills WHERE account_id = \(account)::uuid GROUP BY order_id HAVING count(*) > 1
            """).map { try $0.decode(at: 0) }
        ledger.fills = try await store.query("SELECT count(*) FROM fills WHERE account_id = \(account)::uuid").first!.decode(at: 0)
        let trades = try await store.query("SELECT count(*), count(DISTINCT id) FROM trades WHERE account_id = \(account)::uuid").first!
        ledger.trades = try trades.decode(at: 0)
        ledger.tradeIdsUnique = ledger.trades == (try trades.decode(Int.self, at: 1))
        return ledger
    }
}

/// What one outage looked like from outside.
struct OutageAnswer: CustomStringConvertible {
    /// The HTTP status (0: connection refused).
    var status: Int
    /// Whether the answer named what is missing.
    var names: Bool
    var seconds: Double

    /// 503 naming the missing piece (or, for the gateway itself, a refused connection), in time.
    var ok: Bool { (status == 503 || status == 0) && names && seconds < ChaosTests.deadlineSeconds }
    var description: String { "\(status == 0 ? "refused" : String(status))\(names ? " naming it" : "") in \(Int(seconds * 1000)) ms" }
}

struct FaultFigures {
    var fault: String
    var answer: OutageAnswer
    var recoverySeconds: Double
}

/// Manual market buys through the gateway, one after another, each with its own client order id;
/// one that fails is tried again with the same id until it is acknowledged (as a client would).
final class TradeLoad: Sendable {
    let http: HTTPJSONClient
    let token: String
    private struct State {
        var next = 0
        var pending: String?
        var acknowledged: [String: String] = [:]  // client order id → order id
        var retried = 0
        var refusals = 0
        var slowest = 0.0
        var stopped = false
    }
    private let state = Mutex(State())

    init(http: HTTPJSONClient, token: String) {
        self.http = http
        self.token = token
    }

    var acknowledged: [String: String] { state.withLock { $0.acknowledged } }
    var retried: Int { state.withLock { $0.retried } }
    var refusals: Int { state.withLock { $0.refusals } }
    var slowest: Double { state.withLock { $0.slowest } }

    func stop() async { state.withLock { $0.stopped = true } }

    /// Sends orders every 150 ms until stopped.
    func run() async {
        while !state.withLock({ $0.stopped }) {
            await sendOne()
            try? await Task.sleep(for: .milliseconds(150))
        }
    }

    /// Tries the order whose answer was lost until it is acknowledged (at most 30 s).
    func settle() async {
        for _ in 0..<60 where state.withLock({ $0.pending != nil }) {
            await sendOne()
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    private func sendOne() async {
        let id = state.withLock { s -> String in
            if let pending = s.pending { return pending }
            s.next += 1
            return "chaos-\(s.next)"
        }
        let started = Date()
        let r = try? await http.call("POST", "/api/trade", token: token, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.001","client_order_id":"\#(id)"}"#)
        let seconds = Date().timeIntervalSince(started)
        state.withLock { s in
            s.slowest = max(s.slowest, seconds)
            if let r, r.status == 201, let order = r.body["id"] as? String {
                if s.pending != nil { s.retried += 1 }
                s.acknowledged[id] = order
                s.pending = nil
            } else {
                s.refusals += 1
                s.pending = id
            }
        }
    }
}

/// A Postgres and a Redis of this test's own (scripts/infra.sh with TRADEWIND_INFRA_DIR), which it
/// crashes and revives; removed at the end.
struct PrivateInfrastructure {
    let directory: String
    let postgres: StoreConfiguration
    let redisPort: Int

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/infra.sh").path

    static func start() throws -> PrivateInfrastructure {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tw-chaos-\(UUID().uuidString.prefix(8))").path
        let output = try run(["start"], directory: directory)
        func value(_ key: String) -> String? {
            output.split(separator: "\n").first { $0.hasPrefix("export \(key)=") }.map { String($0.split(separator: "=", maxSplits: 1)[1]) }
        }
        guard let pgPort = value("TRADEWIND_PG_PORT").flatMap(Int.init), let redisPort = value("TRADEWIND_REDIS_PORT").flatMap(Int.init) else {
            throw PlatformError("scripts/infra.sh start printed no ports: \(output)")
        }
        var postgres = TestEnvironment.postgres
        postgres.port = pgPort
        return PrivateInfrastructure(directory: directory, postgres: postgres, redisPort: redisPort)
    }

    /// Runs `scripts/infra.sh <arguments>` for this infrastructure.
    /// Runs the script on a thread of its own: it waits for Postgres or Redis to stop or start,
    /// which must not hold one of the threads the platform's load and the other tests run on.
    func run(_ arguments: String...) async throws {
        let directory = self.directory
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread { done.resume(with: Result { _ = try Self.run(arguments, directory: directory) }) }
        }
    }

    func stop() {
        _ = try? Self.run(["stop"], directory: directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    static func run(_ arguments: [String], directory: String) throws -> String {
        // posix_spawn and waitpid rather than Foundation's Process: the script leaves daemons
        // behind (Postgres, Redis), and Process's exit monitoring then never reports the script's end.
        // Output goes to a file for the same reason: the daemons would hold a pipe open.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let outputPath = directory + "/infra-output.txt"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var environment = ProcessInfo.processInfo.environment
        environment["TRADEWIND_INFRA_DIR"] = directory
        let argv = (["/bin/bash", script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // The script and the daemons it leaves start with no signal blocked or ignored: spawned from
        // a worker thread they would inherit its mask, and a Redis revived with SIGTERM blocked
        // ignored `stop` and outlived the test.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, envp) == 0 else { throw PlatformError("cannot start scripts/infra.sh") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        guard status == 0 else { throw PlatformError("scripts/infra.sh \(arguments.joined(separator: " ")) failed (status \(status))") }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }
}
