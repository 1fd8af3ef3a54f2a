import Contract
import ExecutionService
import NIOCore
import RiskService
import ServiceKit

#if DEBUG
/// execution and risk running beside a test's market, wired as in production.
public struct TradingServices: Sendable {
    public let execution: ExecutionClient
    public let risk: RiskClient
    /// Where peers reach execution (`peers.execution`).
    public let executionAddress: PeerAddress
    /// Where peers reach risk (`peers.risk`).
    public let riskAddress: PeerAddress
}

/// Runs execution and risk (risk → execution, both → `market`) for `body`.
public func withTradingServices<R: Sendable>(beside market: MarketSide, _ body: @Sendable (TradingServices) async throws -> R) async throws -> R {
    var execution = ExecutionSettings()
    execution.marketData = market.address
    return try await withService("execution", beside: market, build: { [execution] in try buildExecution(configuration: $0, settings: execution) }) {
        executionHost, executionClient in
        var risk = RiskSettings()
        risk.marketData = market.address
        let executionAddress = PeerAddress(host: "127.0.0.1", port: try await executionHost.rpcAddress.port!)
        risk.execution = executionAddress
        return try await withService("risk", beside: market, build: { [risk] in try buildRisk(configuration: $0, settings: risk) }) { riskHost, riskClient in
            try await body(TradingServices(
                execution: ExecutionClient(executionClient), risk: RiskClient(riskClient), executionAddress: executionAddress,
                riskAddress: PeerAddress(host: "127.0.0.1", port: try await riskHost.rpcAddress.port!)))
        }
    }
}
#endif
