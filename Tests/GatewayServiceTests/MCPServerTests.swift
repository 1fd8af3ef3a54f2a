import Foundation
import MCP
import ServiceKitTesting
import SystemPackage
import Testing

/// `tradewind mcp` driven by an MCP client (the SDK's own, over the process's stdin and stdout):
/// its tools reach the gateway with the user's API key and have exactly that key's rights.
@Suite struct MCPServerTests {
    /// `swift build --build-tests` puts the CLI next to the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tradewind")

    /// `tradewind mcp` for `key` against the gateway on `port`, and a connected client.
    static func connect(port: Int, key: String) async throws -> (Process, Client) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["mcp", "--gateway", "http://127.0.0.1:\(port)"]
        process.environment = ["TRADEWIND_API_KEY": key]
        let toServer = Pipe(), fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        process.standardError = FileHandle.nullDevice
        try process.run()
        let transport = StdioTransport(
            input: FileDescriptor(rawValue: fromServer.fileHandleForReading.fileDescriptor),
            output: FileDescriptor(rawValue: toServer.fileHandleForWriting.fileDescriptor))
        let client = Client(name: "tradewind-tests", version: "1.0.0")
        try await client.connect(transport: transport)
        return (process, client)
    }

    /// The client disconnected, then the server stopped.
    static func close(_ process: Process, _ client: Client) async {
        await client.disconnect()
        process.terminate()
        process.waitUntilExit()
    }

    static func text(_ content: [Tool.Content]) -> String {
        content.compactMap { if case .text(let t, _, _) = $0 { t } else { nil } }.joined(separator: "\n")
    }

    @Test func anMCPClientDrivesTradewindAsTheKeysUser() async throws {
        try await withGateway { api, _ in
            _ = try await api.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"mcp@example.com","password":"right password"}"#)
            let session = try #require(r.body["access_token"] as? String)
            r = try await api.call("POST", "/api/keys", token: session, json: #"{"label":"claude desktop","scopes":["read","trade"]}"#)
            let tradeKey = try #require(r.body["key"] as? String)
            r = try await api.call("POST", "/api/keys", token: session, json: #"{"label":"read only","scopes":["read"]}"#)
            let readKey = try #require(r.body["key"] as? String)

            let (process, client) = try await Self.connect(port: api.port, key: tradeKey)
            let tools = try await client.listTools().tools.map(\.name)
            #expect(tools.count == 19 && tools.contains("run_backtest") && tools.contains("create_bot") && tools.contains("list_decisions"))
            var (content, isError) = try await client.callTool(name: "list_assets")
            #expect(isError != true && Self.text(content).contains("BTC/USDT"))
            (content, isError) = try await client.callTool(name: "get_quote", arguments: ["symbol": "BTC/USDT"])
            #expect(isError != true && Self.text(content).contains("\"symbol\""))
            let bad: Value = .object(["version": 1, "rules": .object(["entry_long": .array([.object(["left": .object(["indicator": "smaa", "period": 5]), "op": ">", "right": "close"])])])])
            (content, isError) = try await client.callTool(name: "validate_strategy", arguments: ["document": bad])
            #expect(isError == true && Self.text(content).contains("strategy.unknown_indicator"))
            let good: Value = .object(["version": 1, "rules": .object([
                "entry_long": .array([.object(["left": .object(["indicator": "rsi", "period": 14]), "op": "<", "right": 30])]),
                "exit_long": .array([.object(["left": .object(["indicator": "rsi", "period": 14]), "op": ">", "right": 70])]),
            ])])
            (content, isError) = try await client.callTool(name: "explain_strategy", arguments: ["document": good])
            #expect(isError != true && Self.text(content).contains("Buy when RSI(14) is below 30"))
            (content, isError) = try await client.callTool(name: "create_bot", arguments: ["symbol": "BTCUSDT", "strategy": .object(["name": "sma_cross"])])
            #expect(isError != true && Self.text(content).contains("\"id\""), "\(Self.text(content))")
            (content, isError) = try await client.callTool(name: "list_bots")
            #expect(isError != true && Self.text(content).contains("sma_cross"))
            (content, isError) = try await client.callTool(name: "no_such_tool")
            #expect(isError == true && Self.text(content).contains("there is no tool no_such_tool"))

            // A read-only key: reading works, trading is refused by the gateway.
            await Self.close(process, client)
            let (readProcess, reader) = try await Self.connect(port: api.port, key: readKey)
            (content, isError) = try await reader.callTool(name: "get_portfolio")
            #expect(isError != true)
            (content, isError) = try await reader.callTool(name: "create_bot", arguments: ["symbol": "BTCUSDT", "strategy": .object(["name": "sma_cross"])])
            #expect(isError == true && Self.text(content).contains("gateway.forbidden"))
            await Self.close(readProcess, reader)
        }
    }
}
