import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import ServiceKit
import TradingCore
import Wire

extension GatewayAPI {
    struct TradeRequest: Decodable {
        var symbol: String
        var side: String
        var quantity: String
        var type: String?
        var limitPrice: String?
        var stopPrice: String?
        var stopLoss: String?
        var takeProfit: String?
        var clientOrderId: String?
    }

    var portfolioRoutes: [Route] {
        [
            Route(method: .get, path: "/api/portfolio", answers: .of(PortfolioView.self), role: .viewer, summary: "Your paper account: cash, equity, P&L and positions marked to market") {
                _, _, p in
                let execution = try peers.executionClient()
                let account = try await execution.getAccount(PB.AccountRequest(accountId: p.accountId))
                let positions = try await execution.listPositions(PB.AccountRequest(accountId: p.accountId)).positions
                return try JSONBody.response(PortfolioView(account: account, positions: positions))
            },
            Route(method: .get, path: "/api/portfolio/metrics", answers: .of(MetricsView.self), role: .viewer, summary: "Total P&L, win rate, Sharpe and max drawdown from your history") {
                _, _, p in try JSONBody.response(try await metrics(p.accountId))
            },
            Route(method: .get, path: "/api/trades", answers: .list("trades", of: TradeView.self), role: .viewer, summary: "Your closed trades, newest first", query: ["limit"]) { request, _, p in
                let limit = UInt32(try QueryParameters.integer("limit", request, path: "/api/trades") ?? 100)
                let trades = try await peers.executionClient().listTrades(PB.ListTradesRequest(accountId: p.accountId, page: PB.PageRequest(limit: min(limit, 1000))))
                return try JSONBody.response(["trades": trades.trades.map(TradeView.init)])
            },
            Route(method: .get, path: "/api/orders", answers: .list("orders", of: OrderView.self), role: .viewer, summary: "Your orders, newest first") { _, _, p in
                let orders = try await peers.executionClient().listOrders(PB.ListOrdersRequest(accountId: p.accountId, page: PB.PageRequest(limit: 200)))
                return try JSONBody.response(["orders": orders.orders.map(OrderView.init)])
            },
            Route(
                method: .post, path: "/api/trade", answers: .of(OrderView.self), role: .trader, summary: "Place a manual order through the risk checks",
                body: [
                    "symbol": "string!", "side": "string!", "quantity": "string!", "type": "string", "limit_price": "string", "stop_price": "string",
                    "stop_loss": "string", "take_profit": "string", "client_order_id": "string",
                ], success: .created
            ) { request, _, p in
                let body = try await JSONBody.decode(TradeRequest.self, from: request)
                let order = try await manualOrder(body, p)
                let placed = try await peers.riskClient().placeOrder(PB.PlaceOrderRequest(order: order))
                guard let check = placed.check, check.approved, let filled = placed.order else {
                    let outcome = placed.check?.outcome?.message ?? "refused"
                    let code = outcome.split(separator: ":").first.map(String.init) ?? "risk.refused"
                    throw APIError(.unprocessableContent, code, "risk refused the order: \(outcome)")
                }
                return try JSONBody.response(OrderView(filled), status: .created)
            },
        ]
    }

    private func manualOrder(_ body: TradeRequest, _ p: Principal) async throws -> PB.SubmitOrderRequest {
        let side: PB.Side
        switch body.side.lowercased() {
        case "buy": side = .buy
        case "sell": side = .sell
        default: throw APIError(.badRequest, "request.invalid_field", "side \"\(body.side.prefix(10))\" must be buy or sell")
        }
        let quantity = try Money.parse(body.quantity, field: "quantity")
        if let id = body.clientOrderId {
            try BodyFields.check(
                id, field: "client_order_id", pattern: BodyFields.clientOrderId, maxLength: BodyFields.clientOrderIdLength,
                what: "printable text (no control characters)")
        }
        let type: PB.OrderType
        switch (body.type ?? "market").lowercased() {
        case "market": type = .market
        case "limit": type = .limit
        case "stop": type = .stop
        default: throw APIError(.badRequest, "request.invalid_field", "type \"\(body.type!.prefix(10))\" must be market, limit or stop")
        }
        func money(_ text: String?, _ field: String) throws -> PB.Decimal? { try text.map { try Money.parse($0, field: field).wire } }
        let symbol = try await peers.marketDataClient().getInstrument(PB.GetInstrumentRequest(symbol: body.symbol)).symbol
        return PB.SubmitOrderRequest(
            accountId: p.accountId, clientOrderId: body.clientOrderId ?? "", symbol: symbol, side: side, type: type, quantity: quantity.wire,
            limitPrice: try money(body.limitPrice, "limit_price"), stopPrice: try money(body.stopPrice, "stop_price"),
            stopLoss: try money(body.stopLoss, "stop_loss"), takeProfit: try money(body.takeProfit, "take_profit"))
    }

    /// Metrics over the account's trades and equity samples.
    private func metrics(_ accountId: String) async throws -> MetricsView {
        let execution = try peers.executionClient()
        let account = try await execution.getAccount(PB.AccountRequest(accountId: accountId))
        var trades: [PB.Trade] = []
        var cursor = ""
        repeat {
            let page = try await execution.listTrades(PB.ListTradesRequest(accountId: accountId, page: PB.PageRequest(limit: 1000, cursor: cursor)))
            trades += page.trades
            cursor = page.page?.nextCursor ?? ""
        } while !cursor.isEmpty && trades.count < 100_000
        let samples = try await execution.getEquityHistory(PB.EquityHistoryRequest(accountId: accountId)).samples
        let equities = samples.map { FixedDecimal(wire: $0.equity).doubleValue }
        let wins = trades.filter { FixedDecimal(wire: $0.realizedPnl) > .zero }.count
        // Sharpe of sample-to-sample returns, annualized by the samples' mean spacing.
        var sharpe = 0.0
        if samples.count > 2 {
            let spacing = Double(samples.last!.tsNs - samples.first!.tsNs) / 1e9 / Double(samples.count - 1)
            if spacing > 0 { sharpe = EquityStatistics.sharpe(equities, periodsPerYear: 365.25 * 86_400 / spacing) }
        }
        let total = FixedDecimal(wire: account.realizedPnl).doubleValue + FixedDecimal(wire: account.unrealizedPnl).doubleValue
        return MetricsView(
            totalPnl: String(total), realizedPnl: decimalText(account.realizedPnl), unrealizedPnl: decimalText(account.unrealizedPnl),
            tradeCount: trades.count, winRate: trades.isEmpty ? 0 : Double(wins) / Double(trades.count), sharpe: sharpe, maxDrawdown: EquityStatistics.maxDrawdown(equities),
            equitySamples: samples.count)
    }
}

struct PortfolioView: Encodable {
    var accountId, baseCurrency, cash, equity, realizedPnl, unrealizedPnl: String
    var positions: [PositionView]
    init(account a: PB.Account, positions: [PB.Position]) {
        (accountId, baseCurrency) = (a.id, a.baseCurrency)
        cash = decimalText(a.balances.first { $0.currency == a.baseCurrency }?.total ?? a.balances.first?.total)
        (equity, realizedPnl, unrealizedPnl) = (decimalText(a.equity), decimalText(a.realizedPnl), decimalText(a.unrealizedPnl))
        self.positions = positions.map(PositionView.init)
    }
}

struct MetricsView: Encodable {
    var totalPnl, realizedPnl, unrealizedPnl: String
    var tradeCount: Int
    var winRate, sharpe, maxDrawdown: Double
    var equitySamples: Int
}
