import Foundation
import ServiceKitTesting
import Testing

/// Schemathesis (pinned; `scripts/test.sh` installs it in a venv of its own and names it in
/// `TRADEWIND_SCHEMATHESIS`) against the whole platform: every operation of the gateway's OpenAPI
/// document with every check (server errors, status codes, content types, response schemas and
/// headers, schema-valid data accepted and invalid data refused, unsupported methods, ignored
/// auth, use after free, resource availability) in every phase (examples, coverage, fuzzing, and
/// stateful sequences along the document's links). Any failure fails the test, with schemathesis's
/// report of it.
@Suite("API conformance: schemathesis against the live gateway", .serialized)
struct APIConformanceTests {
    static let schemathesis = ProcessInfo.processInfo.environment["TRADEWIND_SCHEMATHESIS"]

    @Test(.enabled(if: schemathesis != nil, "set TRADEWIND_SCHEMATHESIS to schemathesis's `st` (scripts/test.sh does)"))
    func theGatewayDoesWhatItsDocumentSays() async throws {
        // No rate limits (schemathesis is one fast caller) and tokens that outlive the run.
        var flags = JourneyTests.flags
        flags["gateway", default: []] += ["--auth.access_ttl_seconds=7200", "--limits.address_requests_per_second=0"]
        try await LocalPlatform.with(extraFlags: flags) { platform in
            try await platform.start()
            let http = HTTPJSONClient(port: platform.httpPort)
            // The first user on a loopback gateway is an admin: every route is open to it.
            let r = try await http.call("POST", "/api/auth/register", json: #"{"email":"conformance@example.com","password":"correct horse"}"#)
            let token = try #require(r.body["access_token"] as? String)
            let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("schemathesis.toml").path
            var arguments = [
                "--config-file", config, "run", "http://127.0.0.1:\(platform.httpPort)/api/v1/openapi.json",
                "-H", "Authorization: Bearer \(token)", "--no-color",
            ]
            // Another seed explores other cases (the configuration's is what CI runs).
            if let seed = ProcessInfo.processInfo.environment["TRADEWIND_SCHEMATHESIS_SEED"] { arguments += ["--seed", seed] }
            let (status, report) = try await LocalPlatform.run(URL(fileURLWithPath: Self.schemathesis!), arguments)
            let summary = report.split(separator: "\n").filter { $0.contains("passed") || $0.contains("failed") || $0.contains("error") }.suffix(6)
            print("schemathesis: exit \(status); \(summary.joined(separator: " | "))")
            #expect(status == 0, "schemathesis found failures:\n\(report.suffix(30_000))")
        }
    }
}
