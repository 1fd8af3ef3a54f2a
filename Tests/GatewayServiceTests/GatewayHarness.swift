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
    try await withGatewayReplicas(count, adjust: adjust) { replicas, market in try await body(replicas.map(\.http), market) }
}

/// One gateway with `adjust`ed settings: its HTTP client and an operator's client of its own RPC
/// service (`Gateway.*`).
func withGatewayOperator(
    adjust: @escaping @Sendable (inout GatewaySettings) -> Void, _ body: @escaping @Sendable (HTTPJSONClient, GatewayClient) async throws -> Void
) async throws {
    try await withGatewayReplicas(1, adjust: adjust) { replicas, _ in try await body(replicas[0].http, GatewayClient(replicas[0].rpc)) }
}

/// `count` gateway replicas: each one's HTTP client and a client of its RPC server.
func withGatewayReplicas(
    _ count: Int, adjust: @escaping @Sendable (inout GatewaySettings) -> Void,
    _ body: @escaping @Sendable ([(http: HTTPJSONClient, rpc: RPCClient)], MarketSide) async throws -> Void
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
                @Sendable func launch(_ started: [(http: HTTPJSONClient, rpc: RPCClient)]) async throws {
                    guard started.count < count else { return try await body(started, market) }
                    let port = SharedValue(0)
                    try await withService("gateway", beside: market, schema: schema, build: { [gateway] in
                        try buildGateway(configuration: $0, settings: gateway) { p in port.set(p) }
                    }) { _, rpc in
                        for _ in 0..<100 where port.current == 0 { try await Task.sleep(for: .milliseconds(20)) }
                        try await launch(started + [(HTTPJSONClient(port: port.current), rpc)])
                    }
                }
                try await launch([])
            }
        }
    }
}

/// The head (status line and headers, lower-cased) of the response to a hand-made request.
func rawHTTP(_ port: Int, _ request: String) async -> String {
    let text = await HTTPProbe.exchange(port: port, request: request, until: { $0.contains("\r\n\r\n") }) ?? ""
    return (text.components(separatedBy: "\r\n\r\n").first ?? "").lowercased()
}
