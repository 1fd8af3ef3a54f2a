import Foundation
import HummingbirdWSClient
import Logging
import ServiceKitTesting
import Store
import Testing

/// Issue 3's journey against the six real executables: a user registers, looks at live prices,
/// starts a paper-trading bot that the kill switch holds back and then lets trade, trades by hand,
/// reads the portfolio; then every process stops and starts again and everything is still there.
/// The simulated feed runs 120 × real time (a 1-minute candle every half second) with a fixed seed.
@Suite("End to end: the six processes", .serialized)
struct JourneyTests {
    static let flags: [String: [String]] = [
        "market-data": [
            "--feeds.simulated.seed=7", "--feeds.simulated.time_scale=120", "--feeds.simulated.symbols=BTC/USDT,ETH/USDT,SOL/USDT,EUR/USD,AAPL",
        ],
        "gateway": ["--auth.jwt_secret=e2e-token-key-0123456789abcdef-0123456789", "--auth.bcrypt_cost=4", "--limits.requests_per_second=0"],
    ]

    @Test func paperTradingBotThroughTheGatewayAndARestart() async throws {
        try await LocalPlatform.with(extraFlags: Self.flags) { platform in
            try await platform.start()
            let http = HTTPJSONClient(port: platform.httpPort)
            let before = try await firstRun(http, platform)
            try await operatorCalls(http, platform, before)
            try await restart(http, platform, before)
        }
    }

    /// What the first run leaves behind, checked after the restart.
    struct Left {
        var trader: String
        var botId: String
        var lastDecisionBar: Int64
        var orderIds: Set<String>
        var tradeCount: Int
    }

    func firstRun(_ http: HTTPJSONClient, _ platform: LocalPlatform) async throws -> Left {
        // 1. Register (the first user is admin), log in, refresh; a viewer cannot trade.
        var r = try await http.call("POST", "/api/auth/register", json: #"{"email":"ada@example.com","password":"correct horse"}"#)
        #expect(r.status == 201 && (r.body["user"] as? [String: Any])?["role"] as? String == "admin")
        let admin = try #require(r.body["access_token"] as? String)
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"bob@example.com","password":"another secret"}"#)
        #expect(r.status == 201 && (r.body["user"] as? [String: Any])?["role"] as? String == "trader")
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"bob@example.com","password":"another secret"}"#)
        #expect(r.status == 200)
        let trader = try #require(r.body["access_token"] as? String)
        let refresh = try #require(r.body["refresh_token"] as? String)
        r = try await http.call("POST", "/api/auth/refresh", json: "{\"refresh_token\":\"\(refresh)\"}")
        #expect(r.status == 200 && r.body["access_token"] is String)
        r = try await http.call("POST", "/api/auth/register", json: #"{"email":"cy@example.com","password":"just looking"}"#)
        let cy = try #require((r.body["user"] as? [String: Any])?["id"] as? String)
        r = try await http.call("PUT", "/api/users/\(cy)/role", token: admin, json: #"{"role":"viewer"}"#)
        #expect(r.status == 200)
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"cy@example.com","password":"just looking"}"#)
        let viewer = try #require(r.body["access_token"] as? String)
        r = try await http.call("POST", "/api/trade", token: viewer, json: #"{"symbol":"BTCUSDT","side":"buy","quantity":"0.01"}"#)
        #expect(r.status == 403 && errorCode(r.body) == "gateway.forbidden")

        // 2. Assets with live prices from the simulated feed, quotes and candles from market-data.
        let btc = try await eventually("BTC/USDT has a live price") {
            let r = try await http.call("GET", "/api/assets", token: trader)
            return (r.body["assets"] as? [[String: Any]])?.first { $0["symbol"] as? String == "BTC/USDT" && (($0["price"] as? NSNumber)?.doubleValue ?? 0) > 0 }
        }
        #expect(btc["change24h_pct"] is NSNumber && btc["change24h"] is NSNumber)
        r = try await http.call("GET", "/api/assets", token: trader)
        let symbols = Set((r.body["assets"] as? [[String: Any]] ?? []).compactMap { $0["symbol"] as? String })
        #expect(symbols.isSuperset(of: ["BTC/USDT", "ETH/USDT", "EUR/USD", "AAPL"]))
        r = try await http.call("GET", "/api/assets/btcusdt", token: trader)
        #expect(r.status == 200 && r.body["symbol"] as? String == "BTC/USDT")
        let candles = try await eventually("closed 1m candles") {
            let r = try await http.call("GET", "/api/assets/BTCUSDT/history?timeframe=1m&limit=500", token: trader)
            return (r.body["candles"] as? [[String: Any]]).flatMap { $0.count >= 2 ? $0 : nil }
        }
        #expect(candles.allSatisfy { $0["open"] != nil && $0["close"] != nil })
        r = try await http.call("GET", "/api/assets/NOPE/history?timeframe=1m", token: trader)
        #expect(r.status == 404 && errorCode(r.body) == "marketdata.unknown_symbol")

        // 4. A bot; bad input says what to fix and creates nothing.
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","risk":{"stop_loss_pct":-1}}"#)
        #expect(r.status == 400 && errorMessage(r.body)?.contains("stop_loss") == true)
        r = try await http.call("POST", "/api/bots", token: trader, json: """
            {"name":"e2e","symbol":"BTCUSDT","timeframe":"1m","mode":"paper","strategy":{"name":"trend_following","consensus_threshold":0.01},
             "risk":{"risk_per_trade":0.01,"stop_loss_pct":0.05,"take_profit_pct":0.1}}
            """)
        #expect(r.status == 201 && r.body["state"] as? String == "stopped")
        let botId = try #require(r.body["id"] as? String)
        r = try await http.call("GET", "/api/bots", token: trader)
        #expect((r.body["bots"] as? [[String: Any]])?.map { $0["id"] as? String } == [botId])
        r = try await http.call("POST", "/api/bots/\(botId)/start", token: viewer)
        #expect(r.status == 403)

        // Live updates over the WebSocket while the bot runs.
        let live = Collected()
        let stopReading = SharedValue(false)
        return try await withThrowingTaskGroup(of: Left?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(url: "ws://127.0.0.1:\(http.port)/ws?token=\(trader)", logger: Logger(label: "ws")) { inbound, outbound, _ in
                    for command in [
                        #"{"type":"subscribe","symbol":"BTCUSDT"}"#, #"{"type":"subscribe","channel":"decisions","bot_id":"\#(botId)"}"#,
                        #"{"type":"subscribe","channel":"orders"}"#, #"{"type":"subscribe","channel":"positions"}"#, #"{"type":"subscribe","channel":"nope"}"#,
                    ] { try await outbound.write(.text(command)) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        if case .text(let text) = message { live.append(text) }
                        if stopReading.current { break }
                    }
                }
                return nil
            }
            let left = try await botRun(http, admin: admin, trader: trader, botId: botId)
            stopReading.set(true)
            try await group.next().map { _ in () }
            group.cancelAll()
            #expect(live.contains { $0.contains(#""type":"market_update""#) && $0.contains("BTC") })
            #expect(live.contains { $0.contains(#""type":"decision""#) && $0.contains(botId) })
            #expect(live.contains { $0.contains(#""type":"order""#) })
            #expect(live.contains { $0.contains(#""type":"position""#) })
            #expect(live.contains { $0.contains(#""type":"error""#) && $0.contains("ws.unknown_channel") })
            return left
        }
    }

    /// 5–8: the bot under the kill switch, then trading; manual trades; the portfolio.
    func botRun(_ http: HTTPJSONClient, admin: String, trader: String, botId: String) async throws -> Left {
        var r = try await http.call("POST", "/api/risk/kill-switch", token: trader, json: #"{"engaged":true}"#)
        #expect(r.status == 403)
        r = try await http.call("POST", "/api/risk/kill-switch", token: admin, json: #"{"engaged":true,"reason":"e2e drill"}"#)
        #expect(r.status == 200 && r.body["engaged"] as? Bool == true)
        r = try await http.call("POST", "/api/bots/\(botId)/start", token: trader)
        #expect(r.status == 200 && r.body["state"] as? String == "running")
        let stream = await HTTPProbe.get(
            port: http.port, path: "/api/bots/\(botId)/status-stream", headers: ["Authorization": "Bearer \(trader)"], timeoutSeconds: 10,
            until: { $0.contains("data:") && $0.contains("running") })
        #expect(stream?.status == 200 && stream?.body.contains(#""state":"running""#) == true)

        // The bot keeps deciding; every order intent is refused with the reason.
        let refused = try await eventually("a buy refused by the kill switch", seconds: 90) {
            try await decisions(http, trader, botId).first { ($0["risk_outcome"] as? String)?.contains("kill switch") == true }
        }
        #expect(refused["action"] as? String == "buy" && (refused["order_id"] as? String ?? "").isEmpty)
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"ETHUSDT","side":"buy","quantity":"0.01"}"#)
        #expect(r.status == 422 && errorCode(r.body) == "risk.kill_switch")

        // Released: the next buy is sized by risk, filled by execution's paper broker.
        r = try await http.call("POST", "/api/risk/kill-switch", token: admin, json: #"{"engaged":false}"#)
        #expect(r.body["engaged"] as? Bool == false)
        let bought = try await eventually("a bot buy that became an order", seconds: 90) {
            try await decisions(http, trader, botId).first { !($0["order_id"] as? String ?? "").isEmpty }
        }
        let orderId = try #require(bought["order_id"] as? String)
        #expect((bought["opinions"] as? [[String: Any]])?.count == 2 && bought["reasoning"] is String && bought["confidence"] is NSNumber)
        let order = try await eventually("the bot's order filled") {
            let r = try await http.call("GET", "/api/orders", token: trader)
            return (r.body["orders"] as? [[String: Any]])?.first { $0["id"] as? String == orderId && $0["status"] as? String == "filled" }
        }
        #expect(order["bot_id"] as? String == botId && order["client_order_id"] as? String == "bot:\(botId):\((bought["candle_open_time"] as? Int ?? 0) * 1_000_000)")

        // A manual round trip, idempotent by client order id.
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"ETHUSDT","side":"buy","quantity":"0.01","client_order_id":"e2e-1"}"#)
        #expect(r.status == 201 && r.body["status"] as? String == "filled")
        let manual = r.body["id"] as? String
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"ETHUSDT","side":"buy","quantity":"0.01","client_order_id":"e2e-1"}"#)
        #expect(r.body["id"] as? String == manual)
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"ETHUSDT","side":"sell","quantity":"0.01","client_order_id":"e2e-2"}"#)
        #expect(r.status == 201 && r.body["status"] as? String == "filled")
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"ETHUSDT","side":"buy","quantity":"-3"}"#)
        #expect(r.status == 400)
        // A position the bot never touches, to find again after the restart.
        r = try await http.call("POST", "/api/trade", token: trader, json: #"{"symbol":"SOLUSDT","side":"buy","quantity":"0.5","client_order_id":"e2e-3"}"#)
        #expect(r.status == 201 && r.body["status"] as? String == "filled")

        // 7. Portfolio, metrics, trades, analysis, settings.
        r = try await http.call("GET", "/api/portfolio", token: trader)
        #expect(r.status == 200 && (r.body["positions"] as? [[String: Any]])?.contains { $0["symbol"] as? String == "BTC/USDT" } == true)
        r = try await http.call("GET", "/api/trades", token: trader)
        let trades = r.body["trades"] as? [[String: Any]] ?? []
        #expect(trades.contains { $0["symbol"] as? String == "ETH/USDT" })
        r = try await http.call("GET", "/api/portfolio/metrics", token: trader)
        #expect(r.status == 200 && (r.body["trade_count"] as? Int ?? 0) >= 1 && r.body["max_drawdown"] != nil)
        r = try await http.call("POST", "/api/analyze", token: trader, json: #"{"symbol":"SOLUSDT","timeframe":"1m","strategy":{"name":"mean_reversion"}}"#)
        #expect(r.status == 200 && ["buy", "sell", "hold"].contains(r.body["action"] as? String ?? ""))
        r = try await http.call("PUT", "/api/config", token: trader, json: #"{"theme":"dark"}"#)
        #expect(r.status == 200)

        let all = try await decisions(http, trader, botId)
        // One decision whole: its votes and its place in the bot's hash chain.
        let first = try #require(all.last?["id"] as? String)
        r = try await http.call("GET", "/api/bots/\(botId)/decisions/\(first)", token: trader)
        #expect(r.status == 200 && (r.body["decision"] as? [String: Any])?["id"] as? String == first)
        #expect((r.body["seq"] as? Int ?? 0) >= 1 && (r.body["hash"] as? String)?.count == 64 && r.body["llm_call"] == nil)
        r = try await http.call("GET", "/api/bots/\(botId)/decisions/00000000-0000-4000-8000-000000000000", token: trader)
        #expect(r.status == 404 && errorCode(r.body) == "orchestrator.unknown_decision")
        r = try await http.call("GET", "/api/orders", token: trader)
        return Left(
            trader: trader, botId: botId, lastDecisionBar: all.compactMap { ($0["candle_open_time"] as? NSNumber)?.int64Value }.max() ?? 0,
            orderIds: Set((r.body["orders"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }), tradeCount: trades.count)
    }

    /// `tradewind methods` lists the whole contract and `tradewind call` reaches each of the six.
    func operatorCalls(_ http: HTTPJSONClient, _ platform: LocalPlatform, _ before: Left) async throws {
        let methods = try await platform.tradewind(["methods"])
        for service in ["MarketData.", "Indicators.", "Orchestrator.", "Risk.", "Execution.", "Gateway."] {
            #expect(methods.status == 0 && methods.output.contains(service))
        }
        let account = try #require(try await http.call("GET", "/api/bots/\(before.botId)", token: before.trader).body["account_id"] as? String)
        let calls: [(String, String, String, String)] = [
            ("market-data", "MarketData.ListFeeds", "{}", "simulated"),
            ("indicators", "Indicators.ListIndicators", "{}", "macd"),
            ("execution", "Execution.GetAccount", #"{"account_id":"\#(account)"}"#, account),
            ("risk", "Risk.GetKillSwitch", "{}", "engaged"),
            ("orchestrator", "Orchestrator.GetBot", #"{"id":"\#(before.botId)"}"#, "trend_following"),
            ("gateway", "Gateway.ListUsers", "{}", "bob@example.com"),
        ]
        for (service, method, json, expected) in calls {
            let r = try await platform.tradewind(["call", "127.0.0.1:\(platform.rpcPorts[service]!)", method, "--json", json, "--secret", platform.secret("operator")])
            #expect(r.status == 0 && r.output.contains(expected), "\(method): \(r.output.prefix(300))")
        }
        let risk = "127.0.0.1:\(platform.rpcPorts["risk"]!)", execution = "127.0.0.1:\(platform.rpcPorts["execution"]!)"
        // Someone else's secret, no secret, or the public development one: refused at the handshake.
        for secret in [platform.secret("gateway"), "tradewind-dev-secret-operator"] {
            let refused = try await platform.tradewind(["call", risk, "Risk.GetKillSwitch", "--secret", secret])
            #expect(refused.status != 0 && refused.output.contains("unauthenticated"), "\(refused.output.prefix(300))")
        }
        // The gateway's own identity may read accounts but not submit orders past risk.
        let submit = #"{"account_id":"\#(account)","symbol":"BTC/USDT","side":"SIDE_BUY","type":"ORDER_TYPE_MARKET","quantity":{"raw":"1000000"}}"#
        let denied = try await platform.tradewind(["call", execution, "Execution.SubmitOrder", "--json", submit, "--identity", "gateway", "--secret", platform.secret("gateway")])
        #expect(denied.status != 0 && denied.output.contains("permission_denied") && denied.output.contains("gateway may not call Execution.SubmitOrder"), "\(denied.output.prefix(300))")
        let read = try await platform.tradewind(["call", execution, "Execution.GetAccount", "--json", #"{"account_id":"\#(account)"}"#, "--identity", "gateway", "--secret", platform.secret("gateway")])
        #expect(read.status == 0 && read.output.contains(account))
        // Every service's audit trail verifies; a changed entry in execution's is found.
        let addresses = LocalPlatform.services.map { "127.0.0.1:\(platform.rpcPorts[$0]!)" }
        var verified = try await platform.tradewind(["audit", "verify"] + addresses + ["--secret", platform.secret("operator")])
        let lines = verified.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(verified.status == 0 && lines.count == 6 && lines.allSatisfy { $0["intact"] as? Bool == true }, "\(verified.output.prefix(600))")
        // The journey's orders, bots and logins are in the trails.
        for service in ["execution", "risk", "orchestrator", "gateway"] {
            #expect((lines.first { $0["service"] as? String == service }?["entries"] as? Int ?? 0) > 0, "\(service) recorded nothing")
        }
        let admin = try Store(configuration: TestEnvironment.postgres, logger: Logger(label: "e2e"))
        try await admin.unsafeExecuteRaw("UPDATE \"\(platform.schema("execution"))\".audit_log SET outcome = 'tampered' WHERE seq = 1")
        await admin.shutdown()
        verified = try await platform.tradewind(["audit", "verify", execution, "--secret", platform.secret("operator")])
        #expect(verified.status == 1 && verified.output.contains("\"first_broken_seq\":1") && verified.output.contains("\"intact\":false"), "\(verified.output.prefix(400))")
        // The bots' decision chains verify too.
        let chains = try await platform.tradewind(["audit", "decisions", "127.0.0.1:\(platform.rpcPorts["orchestrator"]!)", "--secret", platform.secret("operator")])
        #expect(chains.status == 0 && chains.output.contains("\"intact\":true"), "\(chains.output.prefix(400))")
    }

    /// 9 and "each service on its own": everything stops; the gateway alone answers what it can and
    /// names what is missing; the others come back without the gateway restarting; nothing was lost
    /// and the bot resumes.
    func restart(_ http: HTTPJSONClient, _ platform: LocalPlatform, _ before: Left) async throws {
        await platform.stop()
        try await platform.start(["gateway"])
        var r = try await http.call("GET", "/api/assets", token: before.trader)
        #expect(r.status == 503 && errorMessage(r.body)?.contains("market-data") == true)
        r = try await http.call("POST", "/api/auth/login", json: #"{"email":"bob@example.com","password":"another secret"}"#)
        #expect(r.status == 200)
        let trader = try #require(r.body["access_token"] as? String)

        try await platform.start(LocalPlatform.services.filter { $0 != "gateway" })
        // The gateway reconnects to each peer on its own (backoff): every call answers again.
        _ = try await eventually("the gateway's calls answering again, the gateway untouched") {
            for path in ["/api/assets", "/api/bots", "/api/orders", "/api/portfolio"] where try await http.call("GET", path, token: trader).status != 200 {
                return nil as Bool?
            }
            return true
        }
        _ = try await eventually("the bot running again") {
            try await http.call("GET", "/api/bots/\(before.botId)", token: trader).body["state"] as? String == "running" ? true : nil
        }
        // The bot kept trading until the stop, so what was there before is a part of what is there now.
        r = try await http.call("GET", "/api/orders", token: trader)
        #expect(before.orderIds.isSubset(of: Set((r.body["orders"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })))
        r = try await http.call("GET", "/api/trades", token: trader)
        #expect((r.body["trades"] as? [Any])?.count ?? 0 >= before.tradeCount)
        r = try await http.call("GET", "/api/portfolio", token: trader)
        #expect((r.body["positions"] as? [[String: Any]])?.contains { $0["symbol"] as? String == "SOL/USDT" && $0["quantity"] as? String == "0.5" } == true)

        // The running bot resumed: it decides on bars after the last one before the restart.
        _ = try await eventually("a decision after the restart", seconds: 60) {
            try await decisions(http, trader, before.botId).first { (($0["candle_open_time"] as? NSNumber)?.int64Value ?? 0) > before.lastDecisionBar }
        }
        r = try await http.call("POST", "/api/bots/\(before.botId)/stop", token: trader)
        #expect(r.status == 200 && r.body["state"] as? String == "stopped")
    }

    func decisions(_ http: HTTPJSONClient, _ token: String, _ botId: String) async throws -> [[String: Any]] {
        try await http.call("GET", "/api/bots/\(botId)/decisions", token: token).body["decisions"] as? [[String: Any]] ?? []
    }
}
