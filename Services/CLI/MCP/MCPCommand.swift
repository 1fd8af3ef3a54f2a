import ArgumentParser
import Foundation
import MCP
import NIOHTTP1
import ServiceKit
import Strategies

/// `tradewind mcp`: serves the Model Context Protocol over stdio, so Claude Desktop and other MCP
/// clients drive Tradewind — assets, quotes and candles, templates and agents, strategies
/// (validate, create, explain), backtests and optimisations, bots (create, start, stop), the
/// portfolio, decisions, AI usage. Every tool is a call to the gateway's REST API with the user's
/// API key, so the client has exactly that user's role and scopes.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp", abstract: "Serve the Model Context Protocol over stdio, acting as the user whose API key it is given.")

    @Option(help: "The gateway's base URL (default: $TRADEWIND_GATEWAY, else http://127.0.0.1:8080).")
    var gateway: String?

    @Option(name: .customLong("api-key-env"), help: "The environment variable holding the user's API key (tw_…).")
    var apiKeyEnv = "TRADEWIND_API_KEY"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let base = gateway ?? environment["TRADEWIND_GATEWAY"] ?? "http://127.0.0.1:8080"
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--gateway \(base) is not an http(s) URL")
        }
        guard let key = environment[apiKeyEnv], !key.isEmpty else {
            throw ValidationError("$\(apiKeyEnv) is not set: create an API key (POST /api/keys) and put it there")
        }
        let api = GatewayTools(http: OutboundHTTPClient(baseURL: url, headers: [("Authorization", "ApiKey \(key)")], timeout: .seconds(60), userAgent: "tradewind-mcp"))
        let server = Server(name: "tradewind", version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: GatewayTools.all.map(\.tool)) }
        await server.withMethodHandler(CallTool.self) { params in await api.call(params.name, params.arguments ?? [:]) }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}

/// The MCP tools, each a gateway call (or, for `explain_strategy`, the strategy language's own
/// explainer).
struct GatewayTools: Sendable {
    let http: OutboundHTTPClient

    struct Definition: Sendable {
        var tool: Tool
    }

    static func tool(_ name: String, _ description: String, _ schema: String = #"{"type":"object","properties":{}}"#, readOnly: Bool) -> Definition {
        let value = (try? JSONDecoder().decode(Value.self, from: Data(schema.utf8))) ?? .object([:])
        return Definition(tool: Tool(name: name, description: description, inputSchema: value, annotations: .init(readOnlyHint: readOnly)))
    }

    static let strategy = #"{"type":"object","description":"a template {\"name\": \"sma_cross\", \"parameters\": {…}}, a document {\"document\": {…}}, Pine {\"pine\": \"…\"} or a saved one {\"strategy_id\": \"…\"}"}"#
    static let all: [Definition] = [
        tool("list_assets", "Every asset with its last price and 24 h change.", readOnly: true),
        tool("get_quote", "One asset: last price, bid, ask, 24 h change.", #"{"type":"object","properties":{"symbol":{"type":"string"}},"required":["symbol"]}"#, readOnly: true),
        tool(
            "get_candles", "OHLCV candles of an asset, oldest first.",
            #"{"type":"object","properties":{"symbol":{"type":"string"},"timeframe":{"type":"string","enum":["1m","5m","15m","1h","4h","1d"]},"limit":{"type":"integer","minimum":1,"maximum":10000}},"required":["symbol"]}"#,
            readOnly: true),
        tool("list_templates", "The strategy templates, with their documents.", readOnly: true),
        tool("list_agents", "The agents a consensus signal can weigh.", readOnly: true),
        tool(
            "validate_strategy", "Check a strategy document or a Pine script: its parameters, warm-up and indicators, or the error and where.",
            #"{"type":"object","properties":{"document":{"type":"object"},"pine":{"type":"string"}}}"#, readOnly: true),
        tool(
            "create_strategy", "Save a strategy document or a Pine script as one of your strategies.",
            #"{"type":"object","properties":{"document":{"type":"object"},"pine":{"type":"string"}}}"#, readOnly: false),
        tool("list_strategies", "Your saved strategies.", readOnly: true),
        tool("explain_strategy", "A strategy document in plain words.", #"{"type":"object","properties":{"document":{"type":"object"}},"required":["document"]}"#, readOnly: true),
        tool(
            "run_backtest", "Backtest a strategy on an asset's candles and wait for the result (metrics).",
            #"{"type":"object","properties":{"symbol":{"type":"string"},"timeframe":{"type":"string"},"strategy":\#(strategy),"initial_cash":{"type":"string"}},"required":["symbol","strategy"]}"#,
            readOnly: false),
        tool(
            "run_optimization", "Start a parameter search (a job); get_job follows it.",
            #"{"type":"object","properties":{"symbol":{"type":"string"},"timeframe":{"type":"string"},"strategy":\#(strategy),"ranges":{"type":"array","items":{"type":"object"}},"objective":{"type":"string"}},"required":["symbol","strategy","ranges"]}"#,
            readOnly: false),
        tool(
            "get_job", "A backtest or optimisation job and its result.",
            #"{"type":"object","properties":{"kind":{"type":"string","enum":["backtest","optimization"]},"id":{"type":"string"}},"required":["kind","id"]}"#, readOnly: true),
        tool("list_bots", "Your bots.", readOnly: true),
        tool(
            "create_bot", "Create a paper-trading bot running a strategy on an asset.",
            #"{"type":"object","properties":{"name":{"type":"string"},"symbol":{"type":"string"},"timeframe":{"type":"string"},"strategy":\#(strategy),"risk":{"type":"object"}},"required":["symbol","strategy"]}"#,
            readOnly: false),
        tool("start_bot", "Start one of your bots.", #"{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}"#, readOnly: false),
        tool("stop_bot", "Stop one of your bots.", #"{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}"#, readOnly: false),
        tool("get_portfolio", "Your account: cash, equity, positions.", readOnly: true),
        tool(
            "list_decisions", "A bot's decisions, newest first, with every agent's vote.", #"{"type":"object","properties":{"bot_id":{"type":"string"}},"required":["bot_id"]}"#,
            readOnly: true),
        tool("get_ai_usage", "What your model calls cost, and the limits.", readOnly: true),
    ]

    /// Runs `name`: the gateway's answer as text, an error result with the gateway's own words.
    func call(_ name: String, _ arguments: [String: Value]) async -> CallTool.Result {
        do {
            let (status, text) = try await request(name, arguments)
            return .init(content: [.text(text: text, annotations: nil, _meta: nil)], isError: !(200..<300).contains(status))
        } catch {
            return .init(content: [.text(text: "\(name) failed: \(error)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    private func request(_ name: String, _ a: [String: Value]) async throws -> (Int, String) {
        func string(_ key: String) throws -> String {
            guard let s = a[key]?.stringValue, !s.isEmpty else { throw ToolError(message: "\(key) is required") }
            return s
        }
        // A path segment: "BTC/USDT" is spelled BTCUSDT (the gateway reads any spelling of a symbol).
        func segment(_ s: String) -> String { s.replacingOccurrences(of: "/", with: "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
        func body(_ keys: [String]) throws -> [UInt8] {
            var o: [String: Value] = [:]
            for key in keys { if let v = a[key] { o[key] = v } }
            return Array(try JSONEncoder().encode(Value.object(o)))
        }
        switch name {
        case "list_assets": return try await get("/api/v1/assets")
        case "get_quote": return try await get("/api/v1/assets/\(segment(try string("symbol")))")
        case "get_candles":
            var query = [("timeframe", a["timeframe"]?.stringValue ?? "1h")]
            if let limit = a["limit"]?.intValue { query.append(("limit", String(limit))) }
            return try await get("/api/v1/assets/\(segment(try string("symbol")))/history", query)
        case "list_templates": return try await get("/api/v1/strategy-templates")
        case "list_agents": return try await get("/api/v1/agents")
        case "validate_strategy": return try await post("/api/v1/strategies/validate", try body(["document", "pine"]))
        case "create_strategy": return try await post("/api/v1/strategies", try body(["document", "pine"]))
        case "list_strategies": return try await get("/api/v1/strategies")
        case "explain_strategy":
            guard let document = a["document"] else { throw ToolError(message: "document is required") }
            let json = try JSONValue(parsing: String(decoding: try JSONEncoder().encode(document), as: UTF8.self))
            return (200, StrategyExplainer.explain(json).joined(separator: "\n"))
        case "run_backtest":
            let (status, text) = try await post("/api/v1/backtests", try body(["symbol", "timeframe", "strategy", "initial_cash"]))
            guard status == 202, let id = (try? JSONValue(parsing: text))?["id"]?.string else { return (status, text) }
            // Followed until done (a backtest is seconds), at most two minutes.
            for _ in 0..<240 {
                let (code, job) = try await get("/api/v1/backtests/\(segment(id))")
                let state = (try? JSONValue(parsing: job))?["status"]?.string
                if code != 200 || state == "done" || state == "failed" || state == "cancelled" { return (code, job) }
                try await Task.sleep(for: .milliseconds(500))
            }
            return (504, "the backtest \(id) is still running; get_job follows it")
        case "run_optimization": return try await post("/api/v1/optimizations", try body(["symbol", "timeframe", "strategy", "ranges", "objective"]))
        case "get_job":
            let kind = try string("kind") == "optimization" ? "optimizations" : "backtests"
            return try await get("/api/v1/\(kind)/\(segment(try string("id")))")
        case "list_bots": return try await get("/api/v1/bots")
        case "create_bot": return try await post("/api/v1/bots", try body(["name", "symbol", "timeframe", "strategy", "risk"]))
        case "start_bot": return try await post("/api/v1/bots/\(segment(try string("id")))/start", [])
        case "stop_bot": return try await post("/api/v1/bots/\(segment(try string("id")))/stop", [])
        case "get_portfolio": return try await get("/api/v1/portfolio")
        case "list_decisions": return try await get("/api/v1/bots/\(segment(try string("bot_id")))/decisions")
        case "get_ai_usage": return try await get("/api/v1/ai/usage")
        default: throw ToolError(message: "there is no tool \(name); tools/list names them")
        }
    }

    private func get(_ path: String, _ query: [(String, String)] = []) async throws -> (Int, String) {
        let r = try await http.get(path, query: query)
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    private func post(_ path: String, _ body: [UInt8]) async throws -> (Int, String) {
        let r = try await http.post(path, json: body.isEmpty ? Array("{}".utf8) : body)
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    struct ToolError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
