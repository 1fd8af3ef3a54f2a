import Contract
import ExecutionService
import PlatformTesting
import RPC
import ServiceKit
import TradingCore
import Wire

/// Runs execution beside `market`: paper fills with 2 bps slippage and a 10 bps fee (the defaults).
func withExecution<R: Sendable>(
    _ market: MarketSide?, schema: String? = nil, settings: ExecutionSettings = ExecutionSettings(),
    _ body: @Sendable (ServiceHost, ExecutionClient) async throws -> R
) async throws -> R {
    var settings = settings
    settings.marketData = market?.address
    return try await withService("execution", beside: market, schema: schema, build: { [settings] in try buildExecution(configuration: $0, settings: settings) }) {
        host, client in try await body(host, ExecutionClient(client))
    }
}

/// A market order request.
func marketOrder(_ account: String, _ side: PB.Side, _ quantity: String, symbol: String = "BTC/USDT", clientId: String = "") -> PB.SubmitOrderRequest {
    PB.SubmitOrderRequest(accountId: account, clientOrderId: clientId, symbol: symbol, side: side, type: .market, quantity: dec(quantity))
}

/// The RPC status `body` fails with, or nil when it succeeds.
func status(_ body: () async throws -> Void) async -> RPCError.Code? {
    do {
        try await body()
        return nil
    } catch let error as RPCError { return error.code } catch { return .unknown }
}
