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
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.invalid_strategy")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("/rules/entry_long/0/op") == true)
        r = try await http.call("GET", "/api/bots", token: trader)
        #expect((r.body["bots"] as? [Any])?.count == 1)
        r = try await http.call("GET", "/api/bots/\(botId)", token: admin)
        #expect(r.status == 200)
        r = try await http.call("POST", "/api/bots", token: trader, json: #"{"symbol":"BTCUSDT","strategy":{"name":"moon"}}"#)
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.invalid_strategy")

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
        #expect(r.body["proposed_strategy"] == nil && (r.body["clarifying_questions"] as? [String])?.first?.hasPrefix("When should it sell?") == true)
        let conversation = try #require(r.body["conversation_id"] as? String)
        r = try await http.call("POST", "/api/chat", token: viewer, json: #"{"conversation_id":"\#(conversation)","message":"sell when RSI is above 60"}"#)
        #expect((r.body["proposed_strategy"] as? [String: Any])?["document"] != nil)
        // A viewer is not offered a bot; a trader is, and only their yes creates it, on their account.
        r = try await http.call("POST", "/api/chat", token: viewer, json: #"{"conversation_id":"\#(conversation)","message":"create a bot on BTC/USDT"}"#)
        #expect(r.body["awaiting_confirmation"] == nil)
        r = try await http.call("POST", "/api/chat", token: trader, json: #"{"message":"buy when RSI is below 25, sell when RSI is above 60. Create a bot on BTC/USDT, 1 hour bars"}"#)
        #expect((r.body["awaiting_confirmation"] as? String)?.contains("trading BTC/USDT on 1h") == true, "\(r.body)")
        let proposal = try #require(r.body["conversation_id"] as? String)
        r = try await http.call("POST", "/api/chat", token: trader, json: #"{"conversation_id":"\#(proposal)","message":"yes"}"#)
        let created = try #require(r.body["created_bot"] as? [String: Any], "\(r.body)")
        #expect(created["state"] as? String == "stopped" && created["symbol"] as? String == "BTC/USDT")
        r = try await http.call("GET", "/api/openapi.json")
        #expect(r.body["openapi"] as? String == "3.1.0" && (r.body["paths"] as? [String: Any])?["/api/v1/bots/{id}/status-stream"] != nil)
        // Every success answer with a body has its schema; a 204 has none.
        for (path, item) in r.body["paths"] as? [String: [String: Any]] ?? [:] {
            for (method, operation) in item {
                let responses = (operation as? [String: Any])?["responses"] as? [String: [String: Any]] ?? [:]
                for (status, response) in responses where status.hasPrefix("2") {
                    let schema = ((response["content"] as? [String: Any])?.values.first as? [String: Any])?["schema"] as? [String: Any]
                    #expect((status == "204") == (schema == nil), "\(method) \(path) \(status)")
                    #expect(status == "204" || schema?["type"] != nil, "\(method) \(path)")
                }
            }
        }

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
        let backtestBody = #"{"symbol":"BTCUSDT","timeframe":"1m","from":"# + "\(t0 / 1_000_000)" + #","to":"# + "\((t0 + 240 * 60_000_000_000) / 1_000_000)"
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
        // Deleting a job removes it: not found afterwards, and not listed.
        r = try await http.call("DELETE", "/api/backtests/\(jobId)", token: trader)
        #expect(r.status == 204)
        r = try await http.call("GET", "/api/backtests/\(jobId)", token: trader)
        #expect(r.status == 404)
        r = try await http.call("GET", "/api/backtests/\(jobId)/trades", token: trader)
        #expect(r.status == 404)
        r = try await http.call("DELETE", "/api/backtests/\(jobId)", token: trader)
        #expect(r.status == 404)
        let tooBig = #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"},"ranges":[{"name":"fast","from":2,"to":100},{"name":"slow","from":101,"to":400}]}"#
        r = try await http.call("POST", "/api/optimizations", token: trader, json: tooBig)
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.too_many_trials")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("optimize.max_trials") == true)

        // Strategies: the template library, the agents, a document checked, saved, versioned and only its owner's.
        r = try await http.call("GET", "/api/strategy-templates", token: trader)
        let templates = r.body["templates"] as? [[String: Any]] ?? []
        #expect(templates.count == 13 && templates.contains { $0["name"] as? String == "balanced" && ($0["document"] as? [String: Any])?["rules"] != nil })
        r = try await http.call("GET", "/api/agents", token: trader)
        #expect((r.body["agents"] as? [[String: Any]])?.map { $0["name"] as? String } == ["trend", "momentum", "rsi_reversion", "volatility", "llm", "news", "macro"])
        let mine = #"{"version":1,"name":"mine","parameters":{"fastMA":{"int":[2,50],"default":5}},"rules":{"entry_long":[{"left":"close","op":">","right":{"indicator":"sma","period":"$fastMA"}}]}}"#
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: #"{"document":"# + mine + "}")
        #expect(r.status == 200 && r.body["warmup_bars"] as? Int == 4 && (r.body["indicators"] as? [String]) == ["sma_5"])
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: #"{"document":"# + mine.replacingOccurrences(of: "$fastMA", with: "$slowMA") + "}")
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.invalid_strategy")
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

        // Pine: checked with its warnings, refused at its line and column, saved beside the document it compiles to, backtested.
        let pine = "//@version=6\nstrategy(\"Pine SMA\")\nfast = ta.sma(close, input.int(5, \"Fast\", minval=2, maxval=50))\nif ta.crossover(close, fast)\n    strategy.entry(\"L\", strategy.long)\nif ta.crossunder(close, fast)\n    strategy.close(\"L\")\nplot(fast)\n"
        let pineBody = String(decoding: try JSONSerialization.data(withJSONObject: ["pine": pine]), as: UTF8.self)
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: pineBody)
        #expect(r.status == 200 && (r.body["indicators"] as? [String]) == ["sma_5"] && (r.body["parameters"] as? [String: Any])?["fast"] as? Double == 5, "\(r.body)")
        #expect((r.body["warnings"] as? [String])?.first?.hasPrefix("8:1 plot is a display call") == true, "\(r.body)")
        let badPine = String(decoding: try JSONSerialization.data(withJSONObject: ["pine": pine.replacingOccurrences(of: "ta.sma", with: "ta.smma")]), as: UTF8.self)
        r = try await http.call("POST", "/api/strategies/validate", token: trader, json: badPine)
        #expect(r.status == 422 && errorCode(r.body) == "orchestrator.invalid_strategy")
        #expect(((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("pine.unknown_name: 3:8 ta.smma is not a Pine function; did you mean ta.sma or ta.rma?") == true, "\(r.body)")
        r = try await http.call("POST", "/api/strategies", token: trader, json: pineBody)
        #expect(r.status == 201 && r.body["pine"] as? String == pine && (r.body["document"] as? [String: Any])?["rules"] != nil)
        r = try await http.call("POST", "/api/strategies", token: trader, json: #"{"pine": "//@version=6\nstrategy(\"x\")\n", "document": "# + mine + "}")
        #expect(r.status == 422 && ((r.body["error"] as? [String: Any])?["message"] as? String)?.contains("not both") == true)
        let pineBacktest = String(decoding: try JSONSerialization.data(withJSONObject: [
            "symbol": "BTCUSDT", "strategy": ["pine": pine], "timeframe": "1m", "from": t0 / 1_000_000, "to": (t0 + 240 * 60_000_000_000) / 1_000_000,
        ] as [String: Any]), as: UTF8.self)
        r = try await http.call("POST", "/api/backtests", token: trader, json: pineBacktest)
        #expect(r.status == 202, "\(r.body)")
        let pineJob = r.body["id"] as? String ?? ""
        for _ in 0..<200 {
            r = try await http.call("GET", "/api/backtests/\(pineJob)", token: trader)
            if r.body["status"] as? String != "queued", r.body["status"] as? String != "running" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(r.body["status"] as? String == "done" && ((r.body["metrics"] as? [String: Any])?["trades"] as? Double ?? 0) >= 1, "\(r.body)")

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
        // The seed's shape: the symbol as subscribed, the time in milliseconds; the canonical symbol and the nanoseconds beside them.
        let update = try #require(messages.lazy.compactMap { text -> [String: Any]? in
            guard let m = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], m["type"] as? String == "market_update" else { return nil }
            return m["data"] as? [String: Any]
        }.first)
        #expect(update["symbol"] as? String == "BTCUSDT" && update["canonical_symbol"] as? String == "BTC/USDT" && update["price"] as? Double == 40_100)
        let millis = try #require((update["timestamp"] as? NSNumber)?.int64Value)
        #expect(millis > 1_500_000_000_000 && millis < 4_102_444_800_000)
        #expect((update["timestamp_ns"] as? String).flatMap { Int64($0) }.map { $0 / 1_000_000 == millis } == true)
        #expect(messages.contains { $0.contains(#""type":"error""#) && $0.contains("ws.invalid_message") })
    }
}
