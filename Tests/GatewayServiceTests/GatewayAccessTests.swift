import Bus
import Contract
import ExecutionService
import Foundation
import GatewayService
import HummingbirdWSClient
import IndicatorsService
import Logging
import NIOCore
import OrchestratorService
import PlatformTesting
import RPC
import RiskService
import ServiceKit
import ServiceKitTesting
import Testing
import TradingCore
import Wire


/// Who may do what through the gateway: owner scoping on every route with an id, sessions and
/// passwords, disabled users, failed-login locks across replicas, and browser origins.
@Suite("Gateway access", .serialized)
struct GatewayAccessTests {
    /// Every route with an `{id}` in the route table (read from the OpenAPI document the router's
    /// table generates): user B gets 404 for user A's resource, as for one that does not exist. A
    /// new route with an id fails this test until it has a fixture here.
    @Test func everyRouteWithAnIdIsOwnerScoped() async throws {
        try await withGateway { http, market in
            var r = try await http.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            r = try await http.call("POST", "/api/auth/register", json: #"{"email":"a@example.com","password":"correct horse"}"#)
            let a = try #require(r.body["access_token"] as? String)
            r = try await http.call("POST", "/api/auth/register", json: #"{"email":"b@example.com","password":"correct horse"}"#)
            let b = try #require(r.body["access_token"] as? String)
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 300) * 60_000_000_000
            var px = 40_000.0
            var bars: [PB.Candle] = []
            for i in 0..<120 {
                let o = px
                px = ((px * ((i / 20) % 2 == 0 ? 1.002 : 0.998)) * 100).rounded() / 100
                bars.append(PB.Candle(
                    symbol: "BTC/USDT", timeframe: .m1, openTimeNs: t0 + Int64(i) * 60_000_000_000, open: o, high: max(o, px) + 1, low: min(o, px) - 1,
                    close: px, volume: 1, closed: true))
            }
            try await market.deliver(bars, publish: false)
            // A's resources, one of each kind that has an id.
            let document = #"{"version":1,"name":"a's","rules":{"entry_long":[{"left":"close","op":">","right":{"indicator":"sma","period":5}}]}}"#
            r = try await http.call("POST", "/api/bots", token: a, json: #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"}}"#)
            let bot = try #require(r.body["id"] as? String)
            r = try await http.call("POST", "/api/backtests", token: a, json: #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross","parameters":{"fast":3,"slow":8}}}"#)
            let backtest = try #require(r.body["id"] as? String)
            r = try await http.call("POST", "/api/optimizations", token: a, json: #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"},"ranges":[{"name":"fast","values":[3,4]}]}"#)
            let optimization = try #require(r.body["id"] as? String)
            r = try await http.call("POST", "/api/strategies", token: a, json: #"{"document":"# + document + "}")
            let strategy = try #require(r.body["id"] as? String)
            r = try await http.call("POST", "/api/keys", token: a, json: #"{"scopes":["read"]}"#)
            let key = try #require(r.body["id"] as? String)
            // A decision of A's bot: started, it decides on the next closed candle.
            _ = try await http.call("POST", "/api/bots/\(bot)/start", token: a)
            var next = t0 + 120 * 60_000_000_000
            let decision: String = try await eventually("a decision of A's bot", seconds: 30) {
                try await market.deliver([PB.Candle(
                    symbol: "BTC/USDT", timeframe: .m1, openTimeNs: next, open: px, high: px + 1, low: px - 1, close: px, volume: 1, closed: true)])
                next += 60_000_000_000
                let listed = try await http.call("GET", "/api/bots/\(bot)/decisions", token: a).body["decisions"] as? [[String: Any]]
                return listed?.first?["id"] as? String
            }
            let fixtures = ["bots": bot, "backtests": backtest, "optimizations": optimization, "strategies": strategy, "keys": key, "decisions": decision]

            r = try await http.call("GET", "/api/openapi.json")
            let paths = try #require(r.body["paths"] as? [String: [String: Any]])
            var checked = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) where path.contains("{id}") {
                let kind = path.split(separator: "/")[2]  // /api/v1/<kind>/{id}
                for (method, operation) in operations {
                    let description = (operation as? [String: Any])?["description"] as? String ?? ""
                    if description.contains("admin role") { continue }  // admins' routes: B gets 403, checked in the journey
                    guard let id = fixtures[String(kind)] else {
                        Issue.record("no fixture for \(method.uppercased()) \(path): add one of A's resources of that kind")
                        continue
                    }
                    let body = method == "put" ? #"{"document":"# + document + "}" : (method == "post" ? "{}" : nil)
                    let answer = try await http.call(method.uppercased(), path.replacingOccurrences(of: "{id}", with: id), token: b, json: body)
                    #expect(answer.status == 404, "\(method.uppercased()) \(path) answered user B \(answer.status): \(answer.body)")
                    checked += 1
                }
            }
            #expect(checked >= 14)
            // And A still sees every one of them (keys and decisions have no GET of their own there: lists show them).
            for (kind, id) in fixtures where kind != "keys" && kind != "decisions" {
                #expect(try await http.call("GET", "/api/\(kind)/\(id)", token: a).status == 200, "\(kind)")
            }
        }
    }

    /// Sessions end when asked (one, or all), a password change ends the others, and a disabled
    /// user can neither log in nor refresh, and their API keys stop working.
    @Test func sessionsPasswordsAndDisabledUsers() async throws {
        try await withGateway { http, _ in
            var r = try await http.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            let admin = try #require(r.body["access_token"] as? String)
            r = try await http.call("POST", "/api/auth/register", json: #"{"email":"c@example.com","password":"first password"}"#)
            let user = try #require((r.body["user"] as? [String: Any])?["id"] as? String)
            var access = try #require(r.body["access_token"] as? String)
            let first = try #require(r.body["refresh_token"] as? String)
            r = try await http.call("POST", "/api/auth/login", json: #"{"email":"c@example.com","password":"first password"}"#)
            let second = try #require(r.body["refresh_token"] as? String)

            // Log out of one session: its refresh token is dead, the other lives.
            r = try await http.call("POST", "/api/auth/logout", token: access, json: #"{"refresh_token":""# + first + #""}"#)
            #expect(r.status == 204)
            r = try await http.call("POST", "/api/auth/refresh", json: #"{"refresh_token":""# + first + #""}"#)
            #expect(r.status == 401 && errorCode(r.body) == "auth.invalid_refresh_token")
            r = try await http.call("POST", "/api/auth/refresh", json: #"{"refresh_token":""# + second + #""}"#)
            #expect(r.status == 200)
            let third = try #require(r.body["refresh_token"] as? String)

            // A password change needs the current one and ends every other session.
            r = try await http.call("POST", "/api/auth/password", token: access, json: #"{"current_password":"wrong one!","new_password":"second password"}"#)
            #expect(r.status == 403 && errorCode(r.body) == "auth.invalid_credentials")
            r = try await http.call("POST", "/api/auth/password", token: access, json: #"{"current_password":"first password","new_password":"short"}"#)
            #expect(r.status == 400 && errorCode(r.body) == "auth.weak_password")
            r = try await http.call("POST", "/api/auth/password", token: access, json: #"{"current_password":"first password","new_password":"second password"}"#)
            #expect(r.status == 200 && r.body["access_token"] != nil)
            access = try #require(r.body["access_token"] as? String)
            r = try await http.call("POST", "/api/auth/refresh", json: #"{"refresh_token":""# + third + #""}"#)
            #expect(r.status == 401)
            r = try await http.call("POST", "/api/auth/login", json: #"{"email":"c@example.com","password":"first password"}"#)
            #expect(r.status == 401)
            r = try await http.call("POST", "/api/auth/login", json: #"{"email":"c@example.com","password":"second password"}"#)
            let live = try #require(r.body["refresh_token"] as? String)

            // Disabled by an admin: no login, no refresh; enabled again: login works.
            r = try await http.call("PUT", "/api/users/\(user)/disabled", token: access, json: #"{"disabled":true}"#)
            #expect(r.status == 403)
            r = try await http.call("PUT", "/api/users/\(user)/disabled", token: admin, json: #"{"disabled":true}"#)
            #expect(r.status == 200 && r.body["disabled"] as? Bool == true)
            r = try await http.call("POST", "/api/auth/login", json: #"{"email":"c@example.com","password":"second password"}"#)
            #expect(r.status == 401)
            r = try await http.call("POST", "/api/auth/refresh", json: #"{"refresh_token":""# + live + #""}"#)
            #expect(r.status == 401)
            r = try await http.call("GET", "/api/users", token: admin)
            let me = (r.body["users"] as? [[String: Any]])?.first { $0["email"] as? String == "root@example.com" }?["id"] as? String ?? ""
            r = try await http.call("PUT", "/api/users/\(me)/disabled", token: admin, json: #"{"disabled":true}"#)
            #expect(r.status == 409)
            r = try await http.call("PUT", "/api/users/\(user)/disabled", token: admin, json: #"{"disabled":false}"#)
            #expect(r.status == 200 && r.body["disabled"] as? Bool == false)
            r = try await http.call("POST", "/api/auth/login", json: #"{"email":"c@example.com","password":"second password"}"#)
            #expect(r.status == 200)
        }
    }

    /// A browser page from a listed origin may call the API (preflight answered, the origin echoed,
    /// never `*`, no credentials) and open the WebSocket; any other origin gets neither.
    @Test func corsAllowsOnlyListedOrigins() async throws {
        try await withGateways(1, adjust: { $0.corsOrigins = ["http://localhost:5173"] }) { gateways, _ in
            let http = gateways[0]
            let r = try await http.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            let token = try #require(r.body["access_token"] as? String)
            let preflight = await rawHTTP(http.port, "OPTIONS /api/assets HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:5173\r\nAccess-Control-Request-Method: GET\r\n\r\n")
            #expect(preflight.hasPrefix("http/1.1 204") && preflight.contains("access-control-allow-origin: http://localhost:5173"))
            #expect(preflight.contains("access-control-allow-headers: authorization, content-type") && !preflight.contains("allow-credentials"))
            let allowed = await rawHTTP(http.port, "GET /api/assets HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:5173\r\nAuthorization: Bearer \(token)\r\n\r\n")
            #expect(allowed.hasPrefix("http/1.1 200") && allowed.contains("access-control-allow-origin: http://localhost:5173"))
            // A refusal from the middleware chain still tells the page why.
            let refused = await rawHTTP(http.port, "GET /api/assets HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:5173\r\nAuthorization: Bearer forged\r\n\r\n")
            #expect(refused.hasPrefix("http/1.1 401") && refused.contains("access-control-allow-origin: http://localhost:5173"))
            #expect(refused.contains("access-control-expose-headers: retry-after, ratelimit-limit") && refused.contains("x-request-id: "))
            let other = await rawHTTP(http.port, "GET /api/assets HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nAuthorization: Bearer \(token)\r\n\r\n")
            #expect(other.hasPrefix("http/1.1 200") && !other.contains("access-control-allow-origin"))
            let upgrade = "GET /ws?token=\(token) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            #expect(await rawHTTP(http.port, upgrade + "Origin: http://localhost:5173\r\n\r\n").hasPrefix("http/1.1 101"))
            #expect(!(await rawHTTP(http.port, upgrade + "Origin: https://evil.example\r\n\r\n").hasPrefix("http/1.1 101")))
        }
    }

    /// Failed logins lock an account (5) and an address (20) for every replica, before any password
    /// is checked; a success clears the account's count.
    @Test func failedLoginsLockAcrossReplicas() async throws {
        try await withGateways(2) { gateways, _ in
            let (one, two) = (gateways[0], gateways[1])
            var r = try await one.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            r = try await one.call("POST", "/api/auth/register", json: #"{"email":"d@example.com","password":"right password"}"#)
            #expect(r.status == 201)
            for _ in 0..<4 { _ = try await one.call("POST", "/api/auth/login", json: #"{"email":"d@example.com","password":"wrong password"}"#) }
            // A success before the limit clears the account's count.
            r = try await two.call("POST", "/api/auth/login", json: #"{"email":"d@example.com","password":"right password"}"#)
            #expect(r.status == 200)
            for _ in 0..<5 {
                r = try await one.call("POST", "/api/auth/login", json: #"{"email":"d@example.com","password":"wrong password"}"#)
                #expect(r.status == 401)
            }
            // The other replica refuses even the right password now.
            r = try await two.call("POST", "/api/auth/login", json: #"{"email":"d@example.com","password":"right password"}"#)
            #expect(r.status == 429 && errorCode(r.body) == "auth.login_locked")
            #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("this account") == true)
            // Another account from the same address still logs in, until the address has failed 20 times.
            r = try await two.call("POST", "/api/auth/login", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            #expect(r.status == 200)
            for i in 0..<11 { _ = try await one.call("POST", "/api/auth/login", json: #"{"email":"nobody\#(i)@example.com","password":"guessing"}"#) }
            r = try await two.call("POST", "/api/auth/login", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            #expect(r.status == 429 && ((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("your address") == true)
        }
    }
}

/// The middleware chain: limits shared by replicas through Redis, the per-address limit before
/// any credentials are checked, a request id on every answer.
@Suite("Gateway rate limits")
struct GatewayRateLimitTests {
    @Test func userLimitIsSharedByReplicas() async throws {
        // One token every 100 s: a run of this test sees the burst and nothing more.
        try await withGateways(2, adjust: { $0.userLimit = RateLimit(rate: 0.01, burst: 6) }) { gateways, _ in
            let (one, two) = (gateways[0], gateways[1])
            let r = try await one.call("POST", "/api/auth/register", json: #"{"email":"lim@example.com","password":"right password"}"#)
            let token = try #require(r.body["access_token"] as? String)
            var admitted = 0
            var refusal: (status: Int, body: [String: Any], headers: [String: String])?
            for i in 0..<12 {
                let reply = try await (i % 2 == 0 ? one : two).send("GET", "/api/me", authorization: "Bearer \(token)")
                if reply.status == 200 { admitted += 1 } else { refusal = reply }
            }
            // Six in all, not six a replica.
            #expect(admitted == 6)
            let refused = try #require(refusal)
            #expect(refused.status == 429 && errorCode(refused.body) == "gateway.rate_limited")
            #expect(errorMessage(refused.body)?.contains("your account") == true)
            #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1)
            #expect(refused.headers["ratelimit-limit"] == "6" && refused.headers["ratelimit-remaining"] == "0")
            #expect(refused.headers["ratelimit-policy"]?.hasPrefix("6;w=") == true)
        }
    }

    @Test func addressLimitComesBeforeAuthentication() async throws {
        try await withGateways(2, adjust: { $0.addressLimit = RateLimit(rate: 0.01, burst: 5) }) { gateways, _ in
            var statuses: [Int] = []
            for i in 0..<10 {
                let reply = try await gateways[i % 2].send("GET", "/api/me", authorization: "ApiKey 00000000-0000-0000-0000-000000000000.guess\(i)")
                statuses.append(reply.status)
                if reply.status == 429 { #expect(errorMessage(reply.body)?.contains("your address") == true) }
            }
            // Five guesses reach the key lookup; the rest are refused before it, on either replica.
            #expect(statuses == Array(repeating: 401, count: 5) + Array(repeating: 429, count: 5))
        }
    }

    @Test func everyAnswerCarriesARequestId() async throws {
        try await withGateway { api, _ in
            let first = try await api.send("GET", "/api/assets", authorization: "Bearer nonsense")
            let second = try await api.send("GET", "/api/no-such-route")
            let (a, b) = (first.headers["x-request-id"] ?? "", second.headers["x-request-id"] ?? "")
            #expect(first.status == 401 && second.status == 404)
            #expect(a.count == 32 && b.count == 32 && a != b && a.allSatisfy(\.isHexDigit))
        }
    }
}

/// The audit trail through the API: the gateway's own actions and a peer's, tied to the request
/// that caused them by its id.
@Suite("Gateway audit")
struct GatewayAuditTests {
    @Test func adminsReadEveryServicesTrail() async throws {
        try await withGateway { api, _ in
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            let admin = try #require(r.body["access_token"] as? String)
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"t@example.com","password":"right password"}"#)
            let trader = try #require(r.body["access_token"] as? String)
            let traderId = try #require((r.body["user"] as? [String: Any])?["id"] as? String)
            _ = try await api.call("POST", "/api/auth/login", json: #"{"email":"t@example.com","password":"wrong password"}"#)
            _ = try await api.call("POST", "/api/auth/login", json: #"{"email":"t@example.com","password":"right password"}"#)
            _ = try await api.call("PUT", "/api/users/\(traderId)/role", token: admin, json: #"{"role":"viewer"}"#)
            let engage = try await api.send("POST", "/api/risk/kill-switch", authorization: "Bearer \(admin)", json: #"{"engaged":true,"reason":"audit test"}"#)
            #expect(engage.status == 200)

            #expect(try await api.call("GET", "/api/audit", token: trader).status == 403)
            r = try await api.call("GET", "/api/audit", token: admin)
            let gateway = try #require(r.body["entries"] as? [[String: Any]])
            let summary = gateway.map { "\($0["action"] as? String ?? "") \($0["outcome"] as? String ?? "")" }
            for expected in ["user.registered ok", "auth.login refused", "auth.login ok", "user.role_changed viewer"] {
                #expect(summary.contains(expected), "\(expected) not in \(summary)")
            }
            #expect(gateway.first?["seq"] as? Int64 ?? Int64(gateway.first?["seq"] as? Int ?? 0) == Int64(gateway.count))

            r = try await api.call("GET", "/api/audit?service=risk", token: admin)
            let risk = try #require(r.body["entries"] as? [[String: Any]])
            let kill = try #require(risk.first { $0["action"] as? String == "risk.kill_switch" })
            #expect(kill["outcome"] as? String == "engaged" && (kill["detail"] as? String)?.contains("via gateway") == true)
            // The risk service's entry carries the id the gateway answered the request with.
            #expect(kill["request_id"] as? String == engage.headers["x-request-id"])
            #expect(try await api.call("GET", "/api/audit?service=nowhere", token: admin).status == 400)
        }
    }
}

/// HTTPS and WSS from certificate files, with HSTS (driven with curl, which trusts the test CA).
@Suite("Gateway over TLS")
struct GatewayTLSTests {
    @Test func httpsAndWss() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = try #require(try tlsConfiguration(certificate: certificates.certificateFile, key: certificates.keyFile))
        try await withGateways(1, adjust: { $0.tls = tls }) { gateways, _ in
            let base = "https://localhost:\(gateways[0].port)"
            let register = try Self.curl([
                "-s", "-i", "--cacert", certificates.caFile, "-H", "Content-Type: application/json",
                "-d", #"{"email":"tls@example.com","password":"correct horse"}"#, base + "/api/auth/register",
            ])
            #expect(register.hasPrefix("HTTP/1.1 201"), "\(register.prefix(200))")
            #expect(register.lowercased().contains("strict-transport-security: max-age=31536000; includesubdomains"))
            let token = try #require(register.components(separatedBy: "\"access_token\":\"").dropFirst().first?.components(separatedBy: "\"").first)
            let upgrade = try Self.curl([
                "-s", "-i", "--http1.1", "--max-time", "2", "--cacert", certificates.caFile, "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
                "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", base + "/ws?token=\(token)",
            ])
            #expect(upgrade.hasPrefix("HTTP/1.1 101"), "\(upgrade.prefix(200))")
            // A client that does not trust the CA, and plain HTTP, get nothing.
            #expect(!(try Self.curl(["-s", "-i", "--cacert", certificates.otherCAFile, base + "/api/openapi.json"])).hasPrefix("HTTP/1.1 200"))
            #expect(!(try Self.curl(["-s", "-i", "--max-time", "2", "http://localhost:\(gateways[0].port)/api/openapi.json"])).hasPrefix("HTTP/1.1 200"))
        }
        #expect(throws: ConfigError.self) { try tlsConfiguration(certificate: certificates.certificateFile, key: "") }
    }

    /// curl's output (head and body) for `arguments`.
    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// The API's two documents, and a method a path does not take.
@Suite("Gateway documents")
struct GatewayDocumentTests {
    @Test func asyncAPIAndMethodNotAllowed() async throws {
        try await withGateway { api, _ in
            var r = try await api.call("GET", "/api/asyncapi.json")
            #expect(r.status == 200 && r.body["asyncapi"] as? String == "3.0.0")
            let messages = try #require((r.body["components"] as? [String: Any])?["messages"] as? [String: Any])
            for type in ["subscribe", "error", "market_update", "candle", "indicators", "decision", "order", "position", "trade", "backtest", "optimization"] {
                #expect(messages[type] != nil, "\(type) is not described")
            }
            let reply = try await api.send("PATCH", "/api/bots")
            #expect(reply.status == 405 && reply.headers["allow"] == "GET, POST" && errorCode(reply.body) == "request.method_not_allowed")
            r = try await api.call("PUT", "/api/auth/login", json: "{}")
            #expect(r.status == 405)
            #expect(try await api.call("GET", "/api/no-such-thing").status == 404)
        }
    }
}
