import Contract
import Foundation
import HTTPTypes
import RPC

/// The services behind the gateway. A route needing one that is not configured answers 503 naming
/// it; one that cannot be reached answers 503 with the peer's message.
struct GatewayPeers: Sendable {
    let marketData: MarketDataClient?
    let orchestrator: OrchestratorClient?
    let risk: RiskClient?
    let execution: ExecutionClient?

    func require<C>(_ client: C?, _ name: String) throws -> C {
        guard let client else { throw APIError(.serviceUnavailable, "gateway.peer_unavailable", "\(name) is not configured on this gateway (peers.\(name.replacingOccurrences(of: "-", with: "_")))") }
        return client
    }

    func marketDataClient() throws -> MarketDataClient { try require(marketData, "market-data") }
    func orchestratorClient() throws -> OrchestratorClient { try require(orchestrator, "orchestrator") }
    func riskClient() throws -> RiskClient { try require(risk, "risk") }
    func executionClient() throws -> ExecutionClient { try require(execution, "execution") }

    /// The Diagnostics service of the peer named `service` (its audit trail).
    func diagnostics(_ service: String) throws -> DiagnosticsClient {
        switch service {
        case "market-data": DiagnosticsClient(try marketDataClient().client)
        case "orchestrator": DiagnosticsClient(try orchestratorClient().client)
        case "risk": DiagnosticsClient(try riskClient().client)
        case "execution": DiagnosticsClient(try executionClient().client)
        default:
            throw APIError(.badRequest, "request.invalid_field", "service \"\(service.prefix(30))\" must be gateway, orchestrator, risk, execution or market-data")
        }
    }
}
