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

@Suite("Gateway", .serialized)
struct GatewayTests {
    @Test func journeyThroughTheAPI() async throws {
        try await withGateway { http, market in try await journey(http, market) }
    }

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
            let fixtures = ["bots": bot, "backtests": backtest, "optimizations": optimization, "strategies": strategy]

            r = try await http.call("GET", "/api/openapi.json")
            let paths = try #require(r.body["paths"] as? [String: [String: Any]])
            var checked = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) where path.contains("{id}") {
                let kind = path.split(separator: "/")[1]
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
            // And A still sees every one of them.
            for (kind, id) in fixtures {
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

    /// market-data, execution, risk, the orchestrator and the gateway as real hosts; `body` gets the
    /// gateway's HTTP client and the market side.
    func withGateway(_ body: @escaping @Sendable (HTTPJSONClient, MarketSide) async throws -> Void) async throws {
        try await withGateways(1) { clients, market in try await body(clients[0], market) }
    }

    /// `count` gateway replicas (one schema, one Redis prefix) in front of the same services.
    func withGateways(
        _ count: Int, adjust: @escaping @Sendable (inout GatewaySettings) -> Void = { _ in },
        _ body: @escaping @Sendable ([HTTPJSONClient], MarketSide) async throws -> Void
    ) async throws {
        let schema = count > 1 ? TestEnvironment.uniqueName("gw") : nil
        defer { if let schema { Task { await ServiceHarness.dropSchema(schema) } } }
        try await withMarketSide { market in
            try await withTradingServices(beside: market) { trading in
                var orchestrator = OrchestratorSettings()
                orchestrator.marketData = market.address
                orchestrator.risk = trading.riskAddress
                orchestrator.execution = trading.executionAddress
                try await withService("orchestrator", beside: market, build: { [orchestrator] in try buildOrchestrator(configuration: $0, settings: orchestrator) }) { oh, _ in
                    var settings = GatewaySettings()
                    settings.marketData = market.address
                    settings.execution = trading.executionAddress
                    settings.risk = trading.riskAddress
                    settings.orchestrator = PeerAddress(host: "127.0.0.1", port: try await oh.rpcAddress.port!)
                    settings.jwtSecret = String(repeating: "k", count: 40)
                    settings.httpPort = 0
                    settings.bcryptCost = 4
                    adjust(&settings)
                    let gateway = settings
                    @Sendable func launch(_ started: [HTTPJSONClient]) async throws {
                        guard started.count < count else { return try await body(started, market) }
                        let port = SharedValue(0)
                        try await withService("gateway", beside: market, schema: schema, build: { [gateway] in
                            try buildGateway(configuration: $0, settings: gateway) { p in port.set(p) }
                        }) { _, _ in
                            for _ in 0..<100 where port.current == 0 { try await Task.sleep(for: .milliseconds(20)) }
                            try await launch(started + [HTTPJSONClient(port: port.current)])
                        }
                    }
                    try await launch([])
                }
            }
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
            let other = await rawHTTP(http.port, "GET /api/assets HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\nAuthorization: Bearer \(token)\r\n\r\n")
            #expect(other.hasPrefix("http/1.1 200") && !other.contains("access-control-allow-origin"))
            let upgrade = "GET /ws?token=\(token) HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            #expect(await rawHTTP(http.port, upgrade + "Origin: http://localhost:5173\r\n\r\n").hasPrefix("http/1.1 101"))
            #expect(!(await rawHTTP(http.port, upgrade + "Origin: https://evil.example\r\n\r\n").hasPrefix("http/1.1 101")))
        }
    }

    /// The head (status line and headers, lower-cased) of the response to a hand-made request.
    func rawHTTP(_ port: Int, _ request: String) async -> String {
        let text = await HTTPProbe.exchange(port: port, request: request, until: { $0.contains("\r\n\r\n") }) ?? ""
        return (text.components(separatedBy: "\r\n\r\n").first ?? "").lowercased()
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

    func journey(_ http: HTTPJSONClient, _ market: MarketSide) async throws {
        // Register: the first user is admin, the second a trader; bad input says what to fix.
        var r = try await http.call("POST", "/api/auth/register", json: #"{"email":"Ada@example.com","password":"correct horse"}"#)
        #expect(r.status == 201 && (r.body["user"] as? [String: Any])?["role"] as? String == "admin")
        let admin = r.body["access_token"] as! String
        let refresh = r.body["refresh_token"] as! String
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"bob@example.com","password":"another secret"}"#)
        #expect(r.status == 201 && (r.body["user"] as? [String: Any])?["role"] as? String == "trader")
        let trader = r.body["access_token"] as! String
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"ada@example.com","password":"correct horse"}"#)
        #expect(r.status == 409 && errorCode(r.body) == "auth.email_taken")
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"x@example.com"}"#)
        #expect(r.status == 400 && errorCode(r.body) == "request.invalid_json")
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"x@example.com","password":5}"#)
        #expect(r.status == 400 && ((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("password") == true)
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"ada@example.com","password":"wrong password"}"#)
        #expect(r.status == 401 && errorCode(r.body) == "auth.invalid_credentials")
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"ada@example.com","password":"correct horse"}"#)
        #expect(r.status == 200 && r.body["access_token"] is String)
        r = try await http.call("POST", "/api/auth/refresh", json: "{\"refresh_token\":\"\(refresh)\"}")
        #expect(r.status == 200)
        r = try await http.call("POST", "/api/auth/refresh", json: "{\"refresh_token\":\"\(refresh)\"}")
        #expect(r.status == 401 && errorCode(r.body) == "auth.invalid_refresh_token")

        // Tokens: missing, forged.
        r = try await http.call("GET", "/api/assets")
        #expect(r.status == 401 && errorCode(r.body) == "auth.missing_token")
        r = try await http.call("GET", "/api/assets", token: String(trader.dropLast(2)) + "xx")
        #expect(r.status == 401 && errorCode(r.body) == "auth.invalid_token")

        // Assets from market-data.
        try await market.quote("BTC/USDT", last: 40_000, bid: 39_999, ask: 40_001)
        r = try await http.call("GET", "/api/assets", token: trader)
        let assets = r.body["assets"] as? [[String: Any]] ?? []
        #expect(r.status == 200 && assets.contains { $0["symbol"] as? String == "BTC/USDT" } && assets.count > 5)
        r = try await http.call("GET", "/api/assets/btcusdt", token: trader)
        #expect(r.status == 200 && r.body["symbol"] as? String == "BTC/USDT" && (r.body["price"] as? NSNumber)?.doubleValue == 40_000)
        r = try await http.call("GET", "/api/assets/NOPE", token: trader)
        #expect(r.status == 404 && errorCode(r.body) == "marketdata.unknown_symbol")
        r = try await http.call("GET", "/api/assets/BTCUSDT/history?timeframe=1m&limit=500", token: trader)
        #expect(r.status == 200 && r.body["candles"] is [Any])
        r = try await http.call("GET", "/api/assets/BTCUSDT/history?timeframe=7m", token: trader)
        #expect(r.status == 400)

        // A manual trade through risk; absurd input refused.
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.1","client_order_id":"t-1"}"#)
        #expect(r.status == 201 && r.body["status"] as? String == "filled")
        let orderId = r.body["id"] as? String
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.1","client_order_id":"t-1"}"#)
        #expect(r.body["id"] as? String == orderId)
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"-1"}"#)
        #expect(r.status == 400)
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"1000"}"#)
        #expect(r.status == 422 && errorCode(r.body) == "risk.max_order_notional")
        r = try await http.call("GET", "/api/portfolio", token: trader)
        #expect(r.status == 200 && (r.body["positions"] as? [[String: Any]])?.first?["quantity"] as? String == "0.1")
        r = try await http.call("GET", "/api/portfolio/metrics", token: trader)
        #expect(r.status == 200 && r.body["trade_count"] as? Int == 0)

        // Bots: create, start, stop, list; a strategy document of one's own, as an object, its keys kept.
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","timeframe":"1m","strategy":{"name":"balanced"},"risk":{"stop_loss_pct":0.02}}"#)
        #expect(r.status == 201 && r.body["state"] as? String == "stopped")
        let botId = r.body["id"] as! String
        r = try await http.call("POST", "/api/bots/\(botId)/start", token: trader)
        #expect(r.status == 200 && r.body["state"] as? String == "running")
        r = try await http.call("POST", "/api/bots/\(botId)/stop", token: trader)
        #expect(r.status == 200 && r.body["state"] as? String == "stopped")
        let document = #"{"version":1,"name":"my cross","signals":{"fast_ma":{"indicator":"sma","period":5}},"rules":{"entry_long":[{"left":"fast_ma","op":"crosses_above","right":{"indicator":"sma","period":20}}]}}"#
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","timeframe":"1m","strategy":{"document":"# + document + "}}")
        #expect(r.status == 201 && (r.body["strategy"] as? [String: Any])?["name"] as? String == "my cross")
        #expect(((r.body["strategy"] as? [String: Any])?["document"] as? String)?.contains("fast_ma") == true)
        _ = try await http.call("DELETE", "/api/bots/\(r.body["id"] as? String ?? "")", token: trader)
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","strategy":{"document":"# + document.replacingOccurrences(of: "crosses_above", with: "crosses_abve") + "}}")
        #expect(r.status == 400 && errorCode(r.body) == "orchestrator.invalid_strategy")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("/rules/entry_long/0/op") == true)
        r = try await http.call("GET", "/api/bots", token: trader)
        #expect((r.body["bots"] as? [Any])?.count == 1)
        r = try await http.call("GET", "/api/bots/\(botId)", token: admin)
        #expect(r.status == 200)
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","strategy":{"name":"moon"}}"#)
        #expect(r.status == 400 && errorCode(r.body) == "orchestrator.invalid_argument")

        // Roles: a viewer cannot trade; only an admin flips the kill switch.
        r = try await http.call("GET", "/api/users", token: admin)
        let bob = (r.body["users"] as? [[String: Any]])?.first { $0["email"] as? String == "bob@example.com" }?["id"] as? String
        r = try await http.call("PUT", "/api/users/\(bob ?? "")/role", token: admin, json: #"{"role":"viewer"}"#)
        #expect(r.status == 200 && r.body["role"] as? String == "viewer")
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"bob@example.com","password":"another secret"}"#)
        let viewer = r.body["access_token"] as! String
        r = try await http.call("POST", "/api/trade", token: viewer, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.1"}"#)
        #expect(r.status == 403 && errorCode(r.body) == "gateway.forbidden")
        r = try await http.call("POST", "/api/bots/\(botId)/start", token: viewer)
        #expect(r.status == 403)
        r = try await http.call("POST", "/api/risk/kill-switch", token: trader, json: #"{"engaged":true}"#)
        #expect(r.status == 403)
        r = try await http.call("POST", "/api/risk/kill-switch", token: admin, json: #"{"engaged":true,"reason":"drill"}"#)
        #expect(r.status == 200 && r.body["engaged"] as? Bool == true)
        r = try await http.call("POST", "/api/trade", token: admin, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.01"}"#)
        #expect(r.status == 422 && errorCode(r.body) == "risk.kill_switch")
        r = try await http.call("POST", "/api/risk/kill-switch", token: admin, json: #"{"engaged":false}"#)
        #expect(r.body["engaged"] as? Bool == false)

        // Settings, chat, OpenAPI.
        r = try await http.call("PUT", "/api/config", token: viewer, json: #"{"theme":"dark"}"#)
        #expect(r.status == 200)
        r = try await http.call("GET", "/api/config", token: viewer)
        #expect(r.body["theme"] as? String == "dark")
        r = try await http.call("PUT", "/api/config", token: viewer, json: "[1]")
        #expect(r.status == 400)
        r = try await http.call("POST", "/api/chat", token: viewer, json: #"{"message":"buy dips when RSI is below 25"}"#)
        #expect((r.body["proposed_strategy"] as? [String: Any])?["name"] as? String == "mean_reversion")
        r = try await http.call("GET", "/api/openapi.json")
        #expect(r.body["openapi"] as? String == "3.1.0" && (r.body["paths"] as? [String: Any])?["/api/bots/{id}/status-stream"] != nil)

        // Backtests as jobs: 202, polled to done, trades and equity, only their owner's (not even an admin sees another's); a search over
        // optimize.max_trials is 422; progress and completion on the WebSocket's backtests channel.
        let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 900) * 60_000_000_000
        var px = 40_000.0
        var history: [PB.Candle] = []
        for i in 0..<240 {
            let o = px
            px = ((px * ((i / 30) % 2 == 0 ? 1.003 : 0.997)) * 100).rounded() / 100
            history.append(PB.Candle(
                symbol: "BTC/USDT", timeframe: .m1, openTimeNs: t0 + Int64(i) * 60_000_000_000, open: o, high: max(o, px) + 1, low: min(o, px) - 1, close: px,
                volume: 1, closed: true))
        }
        try await market.deliver(history, publish: false)
        let backtestBody = #"{"symbol":"BTCUSDT","timeframe":"1m","from_ns":"# + "\(t0)" + #","to_ns":"# + "\(t0 + 240 * 60_000_000_000)"
            + #","strategy":{"name":"sma_cross","parameters":{"fast":3,"slow":8}}}"#
        let jobEvents = Collected()
        let jobId: String = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(http.port)/ws?token=\(trader)", logger: Logger(label: "ws")) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"subscribe","channel":"backtests"}"#))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        jobEvents.append(text)
                        if text.contains(#""status":"done""#) { break }
                    }
                }
                return nil
            }
            group.addTask {
                for _ in 0..<100 where !jobEvents.contains(where: { $0.contains("\"subscribed\"") }) { try await Task.sleep(for: .milliseconds(50)) }
                let r = try await http.call("POST", "/api/backtests", token: trader, json: backtestBody)
                #expect(r.status == 202 && r.body["status"] as? String == "queued")
                return r.body["id"] as? String
            }
            var id: String?
            for try await value in group { if let value { id = value } }
            return try #require(id)
        }
        #expect(jobEvents.all.contains { $0.contains(#""type":"backtest""#) && $0.contains(#""status":"done""#) })
        r = try await http.call("GET", "/api/backtests/\(jobId)", token: trader)
        #expect(r.status == 200 && r.body["status"] as? String == "done")
        let metrics = r.body["metrics"] as? [String: Any]
        #expect((metrics?["trades"] as? Double ?? 0) >= 1 && metrics?["sharpe"] != nil && metrics?["buy_hold_return_pct"] != nil)
        r = try await http.call("GET", "/api/backtests/\(jobId)/trades?limit=1", token: trader)
        #expect(r.status == 200 && (r.body["trades"] as? [Any])?.count == 1)
        r = try await http.call("GET", "/api/backtests/\(jobId)/equity?points=5", token: trader)
        #expect(r.status == 200 && (r.body["equity"] as? [Any])?.count == 5)
        r = try await http.call("GET", "/api/backtests/\(jobId)", token: admin)
        #expect(r.status == 404 && errorCode(r.body) == "orchestrator.unknown_job", "\(r.status) \(r.body)")
        r = try await http.call("GET", "/api/backtests", token: trader)
        #expect((r.body["jobs"] as? [[String: Any]])?.map { $0["id"] as? String } == [jobId])
        r = try await http.call("DELETE", "/api/backtests/\(jobId)", token: trader)
        #expect(r.status == 200 && r.body["status"] as? String == "done")
        let tooBig = #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"},"ranges":[{"name":"fast","from":2,"to":100},{"name":"slow","from":101,"to":400}]}"#
        r = try await http.call("POST", "/api/optimizations", token: trader, json: tooBig)
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.too_many_trials")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("optimize.max_trials") == true)

        // Strategies: the template library, the agents, a document checked, saved, versioned and only its owner's.
        r = try await http.call("GET", "/api/strategy-templates", token: trader)
        let templates = r.body["templates"] as? [[String: Any]] ?? []
        #expect(templates.count == 12 && templates.contains { $0["name"] as? String == "balanced" && ($0["document"] as? [String: Any])?["rules"] != nil })
        r = try await http.call("GET", "/api/agents", token: trader)
        #expect((r.body["agents"] as? [[String: Any]])?.map { $0["name"] as? String } == ["trend", "momentum", "rsi_reversion", "volatility"])
        let mine = #"{"version":1,"name":"mine","parameters":{"fastMA":{"int":[2,50],"default":5}},"rules":{"entry_long":[{"left":"close","op":">","right":{"indicator":"sma","period":"$fastMA"}}]}}"#
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: #"{"document":"# + mine + "}")
        #expect(r.status == 200 && r.body["warmup_bars"] as? Int == 4 && (r.body["indicators"] as? [String]) == ["sma_5"])
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: #"{"document":"# + mine.replacingOccurrences(of: "$fastMA", with: "$slowMA") + "}")
        #expect(r.status == 400 && errorCode(r.body) == "orchestrator.invalid_strategy")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("/rules/entry_long/0/right/period") == true)
        r = try await http.call("POST", "/api/strategies", token: trader, json: #"{"document":"# + mine + "}")
        #expect(r.status == 201 && r.body["version"] as? Int == 1)
        // The document comes back as it was sent: its own keys are not renamed.
        #expect(((r.body["document"] as? [String: Any])?["parameters"] as? [String: Any])?["fastMA"] != nil)
        let savedId = r.body["id"] as? String ?? ""
        r = try await http.call("PUT", "/api/strategies/\(savedId)", token: trader, json: #"{"document":"# + mine.replacingOccurrences(of: "\"default\":5", with: "\"default\":7") + "}")
        #expect(r.status == 200 && r.body["version"] as? Int == 2)
        r = try await http.call("GET", "/api/strategies/\(savedId)?version=1", token: trader)
        #expect(r.status == 200 && (r.body["parameters"] as? [String: Any])?["fastMA"] as? Double == 5)
        r = try await http.call("GET", "/api/strategies/\(savedId)", token: admin)
        #expect(r.status == 404 && errorCode(r.body) == "orchestrator.unknown_strategy")
        r = try await http.call("GET", "/api/strategies", token: trader)
        #expect((r.body["strategies"] as? [[String: Any]])?.map { $0["version"] as? Int } == [2])

        // WebSocket: subscribe, receive a market update, a bad message gets an error, unsubscribe.
        let received = Collected()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(http.port)/ws?token=\(trader)", logger: Logger(label: "ws")) { inbound, outbound, _ in
                    try await outbound.write(.text(#"{"type":"subscribe","symbol":"BTCUSDT"}"#))
                    try await outbound.write(.text("not json"))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        received.append(text)
                        if text.contains("market_update") {
                            try await outbound.write(.text(#"{"type":"unsubscribe","symbol":"BTCUSDT"}"#))
                        }
                        if text.contains("unsubscribed") { break }
                    }
                }
            }
            group.addTask {
                for _ in 0..<100 {
                    try await Task.sleep(for: .milliseconds(50))
                    if received.contains(where: { $0.contains("\"subscribed\"") }) { break }
                }
                try await market.quote("BTC/USDT", last: 40_100)
            }
            try await group.waitForAll()
        }
        let messages = received.all
        #expect(messages.contains { $0.contains(#""type":"market_update""#) && $0.contains(#""symbol":"BTC\/USDT""#) || $0.contains(#""symbol":"BTC/USDT""#) && $0.contains("40100") })
        #expect(messages.contains { $0.contains(#""type":"error""#) && $0.contains("ws.invalid_message") })
    }
}
