import Foundation
import ServiceKitTesting
import Testing

/// The API as a browser sees it: `browser-contract.test.mjs`, run by Node's built-in test runner
/// (fetch, WebSocket and `JSON.parse`, the engine of a browser frontend; no packages), walks every
/// operation of the OpenAPI document, the status stream and every kind of WebSocket message on the
/// whole platform, and fails on any integer beyond 2^53, any time that is not Unix milliseconds,
/// any nanoseconds not sent as text; and replays the seed's WebSocket exchange verbatim.
@Suite("Browser contract: the API through JavaScript's JSON.parse", .serialized)
struct BrowserContractTests {
    /// Node 20.10 or later (for `--experimental-websocket`); `TRADEWIND_NODE` names another.
    static let node = ProcessInfo.processInfo.environment["TRADEWIND_NODE"] ?? "/usr/bin/node"

    @Test func everyAnswerIsSafeForJavaScript() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.node) else {
            Issue.record("Node is missing at \(Self.node): install nodejs 20.10 or later (scripts/install-deps.sh does) or set TRADEWIND_NODE")
            return
        }
        var flags = JourneyTests.flags
        flags["gateway", default: []] += ["--limits.address_requests_per_second=0"]
        try await LocalPlatform.with(extraFlags: flags) { platform in
            try await platform.start()
            // Indicator sets are the operator's to make (the REST API has no route for them): one on
            // BTC/USDT 1m, so the WebSocket's indicators channel has updates to send.
            let set = try await platform.tradewind([
                "call", "127.0.0.1:\(platform.rpcPorts["indicators"]!)", "Indicators.CreateIndicatorSet", "--secret", platform.secret("operator"), "--json",
                #"{"symbol":"BTC/USDT","timeframe":"TIMEFRAME_M1","indicators":[{"name":"rsi","parameters":[14]},{"name":"sma","parameters":[5]}]}"#,
            ])
            #expect(set.status == 0, "\(set.output.prefix(500))")
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("browser-contract.test.mjs").path
            let (status, report) = try await LocalPlatform.run(
                URL(fileURLWithPath: Self.node), ["--experimental-websocket", "--no-warnings", "--test", "--test-reporter=spec", script],
                environment: ["TRADEWIND_GATEWAY": "http://127.0.0.1:\(platform.httpPort)"], deadline: .seconds(300))
            let summary = report.split(separator: "\n").filter { $0.contains("# pass") || $0.contains("# fail") || $0.hasPrefix("ℹ pass") || $0.hasPrefix("ℹ fail") }
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("tradewind-browser-contract-\(platform.httpPort).log")
            try? report.write(to: log, atomically: true, encoding: .utf8)
            print("browser contract: exit \(status); \(summary.joined(separator: " | ")); report in \(log.path)")
            #expect(status == 0, "Node's contract test failed (the whole report: \(log.path)):\n\(report.suffix(20_000))")
        }
    }
}
