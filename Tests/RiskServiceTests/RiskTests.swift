import Bus
import Contract
import ExecutionService
import Foundation
import NIOCore
import PlatformTesting
import RPC
import ServiceKit
import ServiceKitTesting
import Testing
import TradingCore
import Wire

@testable import RiskService

/// market-data (driven by the test), execution and risk, wired as in production.
func withRiskPlatform<R: Sendable>(_ body: @Sendable (MarketSide, ExecutionClient, RiskClient) async throws -> R) async throws -> R {
    try await withMarketSide { market in
        try await withTradingServices(beside: market) { trading in try await body(market, trading.execution, trading.risk) }
    }
}

@Suite("Risk service", .serialized)
struct RiskTests {
    @Test func checksPlacementAndKillSwitch() async throws {
        try await withRiskPlatform { market, execution, risk in
            let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "dana", initialCash: dec("10000"))).id
            _ = try await risk.setLimits(PB.RiskLimits(
                accountId: account, maxPositionNotional: dec("8000"), maxOpenPositions: 1, maxOrderNotional: dec("5000"), maxLeverage: 1))
            try await market.quote("BTC/USDT", last: 40_000)
            try await market.quote("ETH/USDT", last: 2_000)
            let alerts = try market.bus.subscribe(channels: [BusChannel.riskAlert])
            try await alerts.waitUntilSubscribed()

            let big = try await risk.checkOrder(PB.CheckOrderRequest(intent: PB.OrderIntent(accountId: account, symbol: "BTC/USDT", side: .buy, quantity: dec("0.2"))))
            #expect(!big.approved && big.outcome?.message.hasPrefix("risk.max_order_notional") == true)
            #expect(big.rules.count == RuleRegistry.standard.count)

            func buy(_ symbol: String, _ quantity: String, clientId: String = "") -> PB.PlaceOrderRequest {
                PB.PlaceOrderRequest(order: PB.SubmitOrderRequest(
                    accountId: account, clientOrderId: clientId, symbol: symbol, side: .buy, type: .market, quantity: dec(quantity)))
            }
            let placed = try await risk.placeOrder(buy("BTC/USDT", "0.1", clientId: "bot-1"))
            #expect(placed.check?.approved == true && placed.order?.status == .filled)
            let again = try await risk.placeOrder(buy("BTC/USDT", "0.1", clientId: "bot-1"))
            #expect(again.order?.id == placed.order?.id)
            #expect(try await execution.listOrders(PB.ListOrdersRequest(accountId: account)).orders.count == 1)

            let second = try await risk.placeOrder(buy("ETH/USDT", "1"))
            #expect(second.order == nil && second.check?.outcome?.message.hasPrefix("risk.max_open_positions") == true)
            let grow = try await risk.placeOrder(buy("BTC/USDT", "0.11"))
            #expect(grow.check?.outcome?.message.hasPrefix("risk.max_position_notional") == true)

            _ = try await risk.setKillSwitch(PB.SetKillSwitchRequest(engaged: true, reason: "drill", changedBy: "admin"))
            let halted = try await risk.placeOrder(PB.PlaceOrderRequest(order: PB.SubmitOrderRequest(
                accountId: account, symbol: "BTC/USDT", side: .sell, type: .market, quantity: dec("0.1"))))
            #expect(halted.order == nil && halted.check?.outcome?.message.contains("kill switch is engaged: drill") == true)
            #expect(try await risk.getKillSwitch(PB.Empty()).engaged)
            _ = try await risk.setKillSwitch(PB.SetKillSwitchRequest(engaged: false, changedBy: "admin"))
            // Reducing passes the exposure limits.
            let exit = try await risk.placeOrder(PB.PlaceOrderRequest(order: PB.SubmitOrderRequest(
                accountId: account, symbol: "BTC/USDT", side: .sell, type: .market, quantity: dec("0.1"))))
            #expect(exit.order?.status == .filled)

            var rules: [String] = []
            for await delivery in alerts {
                if case .message(_, let payload) = delivery { rules.append(try PB.RiskAlert(decoding: payload).rule) }
                if rules.count == 6 { break }
            }
            #expect(rules.filter { $0 == "risk.kill_switch" }.count == 3)
        }
    }

    @Test func sizing() async throws {
        try await withRiskPlatform { market, execution, risk in
            let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "erin", initialCash: dec("10000"))).id
            try await market.quote("BTC/USDT", last: 40_000)
            // Half Kelly of w = 0.55, R = 1.5: f* = 0.25, × 0.5 = 12.5 % of 10000 at 40000.
            let kelly = try await risk.sizePosition(PB.SizePositionRequest(
                accountId: account, symbol: "BTC/USDT", side: .buy, model: "kelly", winRate: 0.55, payoffRatio: 1.5))
            #expect(text(kelly.quantity) == "0.03125")
            // 1 % of equity over 2 × ATR 250: 100 / 500 = 0.2 BTC = 8000, capped by the default position limit? No: 50000.
            let atr = try await risk.sizePosition(PB.SizePositionRequest(accountId: account, symbol: "BTC/USDT", model: "atr", riskFraction: 0.01, atr: 250))
            #expect(text(atr.quantity) == "0.2")
            let sized = try await risk.placeOrder(PB.PlaceOrderRequest(
                order: PB.SubmitOrderRequest(accountId: account, symbol: "BTC/USDT", side: .buy, type: .market),
                sizing: PB.SizePositionRequest(model: "fixed_fraction", riskFraction: 0.1)))
            #expect(text(sized.order?.quantity) == "0.025" && sized.sizing.contains("10.0 % of equity"))
            let unknown = await #expect(throws: RPCError.self) {
                _ = try await risk.sizePosition(PB.SizePositionRequest(accountId: account, symbol: "BTC/USDT", model: "martingale"))
            }
            #expect(unknown?.code == .invalidArgument)
        }
    }

    @Test func peersAbsent() async throws {
        var settings = RiskSettings()
        settings.execution = PeerAddress(host: "127.0.0.1", port: 1)
        try await withService("risk", beside: nil, build: { [settings] in try buildRisk(configuration: $0, settings: settings) }) { _, client in
            let risk = RiskClient(client)
            let started = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                _ = try await risk.checkOrder(PB.CheckOrderRequest(intent: PB.OrderIntent(accountId: "a", symbol: "BTC/USDT", side: .buy, quantity: dec("1"))))
            }
            #expect(error?.code == .unavailable && error?.message.contains("market-data") == true)
            let placed = await #expect(throws: RPCError.self) {
                _ = try await risk.placeOrder(PB.PlaceOrderRequest(order: PB.SubmitOrderRequest(accountId: "a", symbol: "BTC/USDT", side: .buy, type: .market, quantity: dec("1"))))
            }
            #expect(placed?.code == .unavailable)
            #expect(ContinuousClock.now - started < .seconds(20))
            // Limits and the kill switch need no peer.
            let limits = try await risk.getLimits(PB.GetLimitsRequest(accountId: "a"))
            #expect(limits.maxOpenPositions == 5)
            let bad = await #expect(throws: RPCError.self) { _ = try await risk.setLimits(PB.RiskLimits(accountId: "a", maxDrawdown: 2)) }
            #expect(bad?.code == .invalidArgument && bad?.message.hasPrefix("risk.invalid_argument") == true)
        }
    }

    /// The loss and drawdown rules stop growth but let a position shrink.
    @Test func lossRulesLetPositionsShrink() throws {
        func d(_ s: String) -> FixedDecimal { try! FixedDecimal(parsing: s) }
        var c = CheckContext(
            symbol: "BTC/USDT", side: .buy, quantity: d("0.1"), price: d("40000"), positionBefore: d("0.2"), openSymbols: ["BTC/USDT"],
            grossNotional: d("8000"), equity: d("7000"), pnlToday: d("-600"), peakEquity: d("10000"),
            limits: { var l = Limits.off; l.dailyLossLimit = d("500"); l.maxDrawdown = 0.25; return l }(),
            killSwitch: KillSwitchRecord())
        #expect(try DailyLossRule().refusal(c) != nil)
        #expect(try DrawdownRule().refusal(c) != nil)
        c.side = .sell
        #expect(try DailyLossRule().refusal(c) == nil)
        #expect(try DrawdownRule().refusal(c) == nil)
        c.quantity = d("0.5")  // flips short: not a reduction
        #expect(try DailyLossRule().refusal(c) != nil)
    }
}
