import Bus
import Contract
import ExecutionService
import Foundation
import PlatformTesting
import RPC
import ServiceKit
import ServiceKitTesting
import Testing
import TradingCore
import Wire

@Suite("Execution service", .serialized)
struct ExecutionTests {
    /// Buy then sell at paper prices: the fill prices, fees, cash, realized P&L and trade are exact,
    /// a retried submit returns the first order, and the events reach the bus.
    @Test func paperRoundTrip() async throws {
        try await withMarketSide { market in
            try await withExecution(market) { _, execution in
                let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "alice", initialCash: dec("10000")))
                #expect(text(account.equity) == "10000")
                let fills = try market.bus.subscribe(channels: [BusChannel.fill(account: account.id)])
                try await fills.waitUntilSubscribed()
                try await market.quote("BTC/USDT", last: 40_000, bid: 39_990, ask: 40_010)

                // Ask 40010 + 2 bps = 40018.002, rounded up to the 0.01 tick; fee 10 bps of the notional.
                let buy = try await execution.submitOrder(marketOrder(account.id, .buy, "0.1", clientId: "entry-1"))
                #expect(buy.status == .filled)
                #expect(text(buy.averageFillPrice) == "40018.01")
                #expect(text(buy.fees) == "4.001801")
                let retried = try await execution.submitOrder(marketOrder(account.id, .buy, "0.1", clientId: "entry-1"))
                #expect(retried.id == buy.id)
                #expect(try await execution.listOrders(PB.ListOrdersRequest(accountId: account.id)).orders.count == 1)

                try await market.quote("BTC/USDT", last: 41_000, bid: 40_990, ask: 41_010)
                let held = try await execution.listPositions(PB.AccountRequest(accountId: account.id)).positions
                #expect(held.count == 1 && text(held.first?.quantity) == "0.1" && text(held.first?.averagePrice) == "40018.01")
                #expect(try await eventually { text(try await execution.listPositions(PB.AccountRequest(accountId: account.id)).positions.first?.unrealizedPnl) == "98.199" })

                // Bid 40990 − 2 bps = 40981.802, rounded down: 40981.80. Net P&L = 96.379 − 4.001801 − 4.09818.
                let sell = try await execution.submitOrder(marketOrder(account.id, .sell, "0.1"))
                #expect(text(sell.averageFillPrice) == "40981.8")
                let trades = try await execution.listTrades(PB.ListTradesRequest(accountId: account.id)).trades
                #expect(trades.count == 1)
                #expect(text(trades.first?.realizedPnl) == "88.279019")
                #expect(trades.first?.exitReason == "manual")
                let after = try await execution.getAccount(PB.AccountRequest(accountId: account.id))
                #expect(text(after.balances.first?.total) == "10088.279019")
                #expect(text(after.realizedPnl) == "88.279019" && text(after.equity) == "10088.279019")
                #expect(try await execution.listPositions(PB.AccountRequest(accountId: account.id)).positions.isEmpty)
                let equity = try await execution.getEquityHistory(PB.EquityHistoryRequest(accountId: account.id)).samples
                #expect(equity.count == 3 && text(equity.last?.equity) == "10088.279019")

                var seen = 0
                for await delivery in fills {
                    if case .message(_, let payload) = delivery, case .fill = try PB.OrderEvent(decoding: payload).event { seen += 1 }
                    if seen == 2 { break }
                }
                #expect(seen == 2)
            }
        }
    }

    /// What the ledger refuses is stored as rejected with its reason; malformed requests are refused
    /// with a status and a code, and store nothing.
    @Test func refusals() async throws {
        try await withMarketSide { market in
            try await withExecution(market) { _, execution in
                let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "bob", initialCash: dec("1000")))
                try await market.quote("BTC/USDT", last: 40_000)
                let tooBig = try await execution.submitOrder(marketOrder(account.id, .buy, "1"))
                #expect(tooBig.status == .rejected && tooBig.rejectReason.hasPrefix("insufficient cash"))
                let naked = try await execution.submitOrder(marketOrder(account.id, .sell, "0.01"))
                #expect(naked.status == .rejected && naked.rejectReason.hasPrefix("insufficient position"))
                #expect(try await execution.listOrders(PB.ListOrdersRequest(accountId: account.id, statuses: [.rejected])).orders.count == 2)

                #expect(await status { _ = try await execution.submitOrder(marketOrder(account.id, .buy, "0")) } == .invalidArgument)
                // Well-formed orders the instrument's rules refuse (lot size, minimum notional, a limit without its price): failed precondition.
                #expect(await status { _ = try await execution.submitOrder(marketOrder(account.id, .buy, "0.000001")) } == .failedPrecondition)
                #expect(await status { _ = try await execution.submitOrder(marketOrder(account.id, .buy, "0.0001")) } == .failedPrecondition)
                #expect(await status { _ = try await execution.submitOrder(marketOrder(account.id, .buy, "1", symbol: "NOPE/USD")) } == .notFound)
                #expect(await status { _ = try await execution.submitOrder(marketOrder(UUID().uuidString, .buy, "0.01")) } == .notFound)
                #expect(await status { _ = try await execution.submitOrder(marketOrder("not-an-id", .buy, "0.01")) } == .invalidArgument)
                #expect(await status {
                    _ = try await execution.submitOrder(PB.SubmitOrderRequest(accountId: account.id, symbol: "BTC/USDT", side: .buy, type: .limit, quantity: dec("0.01")))
                } == .failedPrecondition)
                #expect(await status { _ = try await execution.submitOrder(marketOrder(account.id, .buy, "1", symbol: "ETH/USDT")) } == .failedPrecondition)
                #expect(await status { _ = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "bob", mode: .live)) } == .unimplemented)
                do {
                    _ = try await execution.submitOrder(marketOrder(account.id, .buy, "0.0001"))
                } catch let error as RPCError {
                    #expect(error.message.hasPrefix("execution.order_rules") && error.message.contains("at least 5"))
                }
                #expect(try await execution.listOrders(PB.ListOrdersRequest(accountId: account.id)).orders.count == 2)
            }
        }
    }

    /// A limit order rests until the market reaches it; a stop loss closes the position it protects;
    /// a working order cancels once. After a restart the stored working orders are armed again.
    @Test func triggersAndRestart() async throws {
        let schema = TestEnvironment.uniqueName("exec")
        defer { Task { await ServiceHarness.dropSchema(schema) } }
        try await withMarketSide { market in
            let (accountId, restingId) = try await withExecution(market, schema: schema) { _, execution in
                let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: "carol", initialCash: dec("50000")))
                try await market.quote("BTC/USDT", last: 40_000, bid: 39_990, ask: 40_010)
                let limit = try await execution.submitOrder(PB.SubmitOrderRequest(
                    accountId: account.id, symbol: "BTC/USDT", side: .buy, type: .limit, quantity: dec("0.1"), limitPrice: dec("39500"),
                    stopLoss: dec("39000")))
                #expect(limit.status == .new)
                try await market.quote("BTC/USDT", last: 39_450, bid: 39_440, ask: 39_460)
                let filled = try await eventually {
                    try await execution.getOrder(PB.GetOrderRequest(accountId: account.id, key: .orderId(limit.id))).status == .filled
                }
                #expect(filled)
                let order = try await execution.getOrder(PB.GetOrderRequest(accountId: account.id, key: .orderId(limit.id)))
                #expect(text(order.averageFillPrice) == "39467.9")  // ask 39460 + 2 bps, under the limit

                // The stop loss set by the entry closes the position when the market falls through it.
                try await market.quote("BTC/USDT", last: 38_900, bid: 38_890, ask: 38_910)
                #expect(try await eventually {
                    try await execution.listTrades(PB.ListTradesRequest(accountId: account.id)).trades.first?.exitReason == "stop_loss"
                })
                #expect(try await execution.listPositions(PB.AccountRequest(accountId: account.id)).positions.isEmpty)

                let resting = try await execution.submitOrder(PB.SubmitOrderRequest(
                    accountId: account.id, symbol: "BTC/USDT", side: .buy, type: .limit, quantity: dec("0.1"), limitPrice: dec("38000")))
                let other = try await execution.submitOrder(PB.SubmitOrderRequest(
                    accountId: account.id, symbol: "BTC/USDT", side: .buy, type: .limit, quantity: dec("0.1"), limitPrice: dec("37000")))
                let canceled = try await execution.cancelOrder(PB.CancelOrderRequest(accountId: account.id, orderId: other.id))
                #expect(canceled.status == .canceled)
                #expect(await status { _ = try await execution.cancelOrder(PB.CancelOrderRequest(accountId: account.id, orderId: other.id)) } == .failedPrecondition)
                return (account.id, resting.id)
            }
            try await withExecution(market, schema: schema) { _, execution in
                try await Task.sleep(for: .milliseconds(300))
                try await market.quote("BTC/USDT", last: 37_950, bid: 37_940, ask: 37_960)
                #expect(try await eventually {
                    try await execution.getOrder(PB.GetOrderRequest(accountId: accountId, key: .orderId(restingId))).status == .filled
                })
                let canceled = try await execution.listOrders(PB.ListOrdersRequest(accountId: accountId, statuses: [.canceled])).orders
                #expect(canceled.count == 1)
            }
        }
    }
}
