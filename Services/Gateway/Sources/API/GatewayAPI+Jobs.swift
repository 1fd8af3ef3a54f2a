import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import TradingCore
import Wire

extension GatewayAPI {
    /// A backtest as the API takes it (also the base of an optimisation).
    struct BacktestRequest: Decodable {
        var symbol: String
        var timeframe: String?
        /// The bars to test, Unix milliseconds (`from` inclusive, `to` exclusive); absent: all stored history.
        var from: Int64?
        var to: Int64?
        var strategy: StrategyView?
        var risk: RiskView?
        var initialCash: String?
        /// Fractions of notional and basis points; absent: the strategy document's own assumptions.
        var feeRate: Double?
        var slippageBps: Double?

        func wire(_ api: GatewayAPI) throws -> PB.BacktestRequest {
            for (name, value) in [("from", from), ("to", to)] where value.map({ !(0...BodyFields.maxMillis).contains($0) }) ?? false {
                throw APIError(.badRequest, "request.invalid_field", "\(name) is a Unix time in milliseconds, 0 to \(BodyFields.maxMillis)")
            }
            return PB.BacktestRequest(
                symbol: symbol, timeframe: try api.timeframe(timeframe).wire, range: PB.TimeRange(fromNs: (from ?? 0) * 1_000_000, toNs: (to ?? 0) * 1_000_000),
                strategy: strategy?.wire, risk: try risk?.wire(), initialCash: try Money.parse(initialCash ?? "100000", field: "initial_cash").wire,
                feeRate: feeRate ?? 0, slippageBps: slippageBps ?? 0)
        }
    }

    /// An optimisation: the backtest fields (each trial's), and the search.
    struct OptimizationRequest: Decodable {
        struct Range: Decodable {
            var name: String
            var from: Double?
            var to: Double?
            var step: Double?
            var values: [Double]?
        }
        struct WalkForward: Decodable {
            var train: UInt32
            var test: UInt32
            var anchored: Bool?
        }
        struct Search: Decodable {
            var ranges: [Range]
            var objective: String?
            var minTrades: UInt32?
            var maxDrawdownPct: Double?
            var randomTrials: UInt32?
            var seed: UInt64?
            var walkForward: WalkForward?
        }
        var backtest: BacktestRequest
        var search: Search

        /// Both read from the one body: its backtest fields and its search fields side by side.
        init(from decoder: any Decoder) throws {
            backtest = try BacktestRequest(from: decoder)
            search = try Search(from: decoder)
        }

        func wire(_ api: GatewayAPI) throws -> PB.OptimizationRequest {
            let s = search
            if let seed = s.seed, seed > UInt64(maxSafeInteger) {
                throw APIError(.badRequest, "request.invalid_field", "seed must be 0 to \(maxSafeInteger) (2^53 − 1, what JavaScript holds exactly)")
            }
            return PB.OptimizationRequest(
                backtest: try backtest.wire(api),
                ranges: s.ranges.map { PB.ParameterRangeSpec(name: $0.name, from: $0.from ?? 0, to: $0.to ?? 0, step: $0.step ?? 0, values: $0.values ?? []) },
                objective: s.objective ?? "", minTrades: s.minTrades ?? 0, maxDrawdownPct: s.maxDrawdownPct ?? 0, randomTrials: s.randomTrials ?? 0,
                seed: s.seed ?? 0, walkForwardTrain: s.walkForward?.train ?? 0, walkForwardTest: s.walkForward?.test ?? 0,
                walkForwardAnchored: s.walkForward?.anchored ?? false)
        }
    }

    static let backtestBody: KeyValuePairs<String, String> = [
        "symbol": "string!", "timeframe": "string", "from": "integer", "to": "integer", "strategy": "object", "risk": "object",
        "initial_cash": "string", "fee_rate": "number", "slippage_bps": "number",
    ]

    var jobRoutes: [Route] {
        [
            Route(
                method: .post, path: "/api/backtests", answers: .of(JobView.self), role: .viewer,
                summary: "Queue a backtest of a strategy over history (202 with the job; progress on the WebSocket's backtests channel)",
                body: Self.backtestBody, success: .accepted
            ) { request, _, p in
                let data = try await JSONBody.data(from: request)
                var body = try JSONBody.decode(BacktestRequest.self, from: data)
                body.strategy?.document = try StrategyView.document(in: data)
                let job = try await peers.orchestratorClient().submitJob(PB.SubmitJobRequest(ownerId: p.userId, backtest: try body.wire(self)))
                return try JSONBody.response(JobView(job), status: .accepted)
            },
            Route(
                method: .post, path: "/api/optimizations", answers: .of(JobView.self), role: .viewer,
                summary: "Queue a parameter search (grid or random, optionally walk-forward) over a strategy's declared parameters",
                body: [
                    "symbol": "string!", "timeframe": "string", "from": "integer", "to": "integer", "strategy": "object", "risk": "object",
                    "initial_cash": "string", "fee_rate": "number", "slippage_bps": "number", "ranges": "array!", "objective": "string",
                    "min_trades": "integer", "max_drawdown_pct": "number", "random_trials": "integer", "seed": "integer", "walk_forward": "object",
                ], success: .accepted
            ) { request, _, p in
                let data = try await JSONBody.data(from: request)
                var body = try JSONBody.decode(OptimizationRequest.self, from: data)
                body.backtest.strategy?.document = try StrategyView.document(in: data)
                let job = try await peers.orchestratorClient().submitJob(PB.SubmitJobRequest(ownerId: p.userId, optimization: try body.wire(self)))
                return try JSONBody.response(JobView(job), status: .accepted)
            },
            Route(method: .get, path: "/api/backtests", answers: .of(JobsPage.self), role: .viewer, summary: "Your backtests, newest first (paged: limit, cursor)", query: ["limit", "cursor"]) {
                request, _, p in try await jobList(.backtest, request, p)
            },
            Route(method: .get, path: "/api/optimizations", answers: .of(JobsPage.self), role: .viewer, summary: "Your optimisations, newest first (paged: limit, cursor)", query: ["limit", "cursor"]) {
                request, _, p in try await jobList(.optimization, request, p)
            },
            Route(method: .get, path: "/api/backtests/{id}", answers: .of(JobView.self), role: .viewer, summary: "One of your backtests: status, progress, metrics") { _, context, p in
                try JSONBody.response(JobView(try await ownedJob(try parameter("id", context), .backtest, p)))
            },
            Route(method: .get, path: "/api/optimizations/{id}", answers: .of(JobView.self), role: .viewer, summary: "One of your optimisations: status, progress, the ranked report") {
                _, context, p in try JSONBody.response(JobView(try await ownedJob(try parameter("id", context), .optimization, p)))
            },
            Route(
                method: .get, path: "/api/backtests/{id}/trades", answers: .of(TradesPage.self), role: .viewer, summary: "A done backtest's trades, oldest first (paged: limit, cursor)",
                query: ["limit", "cursor"]
            ) { request, context, p in
                let job = try await ownedJob(try parameter("id", context), .backtest, p)
                let page = try await peers.orchestratorClient().listJobTrades(PB.ListJobTradesRequest(
                    id: job.id, ownerId: p.userId, page: PB.PageRequest(
                        limit: UInt32(try QueryParameters.integer("limit", request, path: "/api/backtests/{id}/trades") ?? 0), cursor: try QueryParameters.cursor(request))))
                return try JSONBody.response(TradesPage(
                    trades: page.trades.map(BacktestTradeView.init), openTrade: page.openTrade.map(BacktestTradeView.init),
                    nextCursor: page.page?.nextCursor ?? "", hasMore: page.page?.hasMore ?? false))
            },
            Route(
                method: .get, path: "/api/backtests/{id}/equity", answers: .of(EquityCurveView.self), role: .viewer,
                summary: "A done backtest's equity curve, downsampled to `points` (default 1000; first and last bars kept)", query: ["points"]
            ) { request, context, p in
                let job = try await ownedJob(try parameter("id", context), .backtest, p)
                let points = UInt32(try QueryParameters.integer("points", request, path: "/api/backtests/{id}/equity") ?? 0)
                let curve = try await peers.orchestratorClient().getJobEquity(PB.GetJobEquityRequest(id: job.id, ownerId: p.userId, points: points))
                return try JSONBody.response(EquityCurveView(equity: curve.points.map { EquityCurveView.Point(time: UnixMillis(nanoseconds: $0.tsNs), equity: decimalText($0.equity)) }))
            },
            Route(
                method: .delete, path: "/api/backtests/{id}", role: .viewer, summary: "Delete one of your backtests: cancelled if it is queued or running, its results removed",
                success: .noContent
            ) { _, context, p in try await delete(try parameter("id", context), .backtest, p) },
            Route(
                method: .delete, path: "/api/optimizations/{id}", role: .viewer, summary: "Delete one of your optimisations: cancelled if it is queued or running, its report removed",
                success: .noContent
            ) { _, context, p in try await delete(try parameter("id", context), .optimization, p) },
        ]
    }

    private func jobList(_ kind: PB.JobKind, _ request: Request, _ p: Principal) async throws -> Response {
        let limit = UInt32(try QueryParameters.integer("limit", request, path: "/api/backtests") ?? 0)
        let page = try await peers.orchestratorClient().listJobs(PB.ListJobsRequest(
            ownerId: p.userId, kind: kind, page: PB.PageRequest(limit: limit, cursor: try QueryParameters.cursor(request))))
        return try JSONBody.response(JobsPage(jobs: page.jobs.map(JobView.init), nextCursor: page.page?.nextCursor ?? "", hasMore: page.page?.hasMore ?? false))
    }

    /// `p`'s job `id` of `kind`; anyone else's, or one of the other kind, is not found.
    private func ownedJob(_ id: String, _ kind: PB.JobKind, _ p: Principal) async throws -> PB.Job {
        let job = try await peers.orchestratorClient().getJob(PB.GetJobRequest(id: id, ownerId: p.userId))
        guard job.kind == kind else { throw APIError(.notFound, "orchestrator.unknown_job", "no \(kind == .backtest ? "backtest" : "optimization") \(id)") }
        return job
    }

    private func delete(_ id: String, _ kind: PB.JobKind, _ p: Principal) async throws -> Response {
        let job = try await ownedJob(id, kind, p)
        _ = try await peers.orchestratorClient().deleteJob(PB.GetJobRequest(id: job.id, ownerId: p.userId))
        return Response(status: .noContent)
    }
}

/// A backtest or optimisation job as the API shows it.
struct JobView: Encodable {
    var id, kind, status, error, symbol, timeframe: String
    var progress: Double
    var createdAt, updatedAt: UnixMillis
    var strategy: StrategyView
    /// A done backtest's metrics.
    var metrics: BacktestMetricsView?
    /// A done optimisation's ranked report (or walk-forward report), as the CLI prints it.
    var report: RawJSON?

    init(_ j: PB.Job) {
        id = j.id
        kind = j.kind == .optimization ? "optimization" : "backtest"
        switch j.status {
        case .running: status = "running"
        case .done: status = "done"
        case .failed: status = "failed"
        case .cancelled: status = "cancelled"
        default: status = "queued"
        }
        error = j.error
        let base = j.kind == .optimization ? j.optimization?.backtest : j.backtest
        symbol = base?.symbol ?? ""
        timeframe = base.flatMap { Timeframe(wire: $0.timeframe)?.rawValue } ?? ""
        progress = j.progress
        (createdAt, updatedAt) = (UnixMillis(nanoseconds: j.createdAtNs), UnixMillis(nanoseconds: j.updatedAtNs))
        strategy = StrategyView(base?.strategy)
        if !j.resultJson.isEmpty {
            if j.kind == .optimization {
                report = RawJSON(text: j.resultJson)
            } else {
                let decoder = JSONDecoder()
                decoder.keyDecodingStrategy = .convertFromSnakeCase
                metrics = try? decoder.decode(BacktestMetricsView.self, from: Data(j.resultJson.utf8))
            }
        }
    }
}

/// Every metric the backtester reports (null where undefined, e.g. a profit factor without losses).
struct BacktestMetricsView: Codable {
    var finalEquity: String?
    var totalReturnPct, cagrPct, volatilityPct, sharpe, sortino, calmar, maxDrawdownPct, maxDrawdownBars: Double?
    var winRatePct, profitFactor, expectancy, averageWin, averageLoss, trades, exposurePct, buyHoldReturnPct, bars, periodsPerYear: Double?
    var openTrade: Bool?
}

struct BacktestTradeView: Encodable {
    var side: String
    /// The entry and exit bars' times (the exit is absent for the open trade).
    var entryTime: UnixMillis
    var exitTime: UnixMillis?
    var entryPrice, exitPrice, quantity, pnl, fees, exitReason: String
    init(_ t: PB.BacktestTrade) {
        side = t.side == .sell ? "short" : "long"
        entryTime = UnixMillis(nanoseconds: t.entryNs)
        exitTime = t.exitPrice == nil ? nil : UnixMillis(nanoseconds: t.exitNs)
        (entryPrice, exitPrice, quantity, pnl, fees) =
            (decimalText(t.entryPrice), t.exitPrice == nil ? "" : decimalText(t.exitPrice), decimalText(t.quantity), decimalText(t.pnl), decimalText(t.fees))
        exitReason = t.exitReason.isEmpty ? "open" : t.exitReason
    }
}

/// `{"equity": [{"time": <ms>, "equity": "<decimal>"}, …]}`: a backtest's equity curve, downsampled.
struct EquityCurveView: Encodable {
    struct Point: Encodable {
        /// The bar's open time.
        var time: UnixMillis
        var equity: String
    }
    var equity: [Point]
}

struct TradesPage: Encodable {
    var trades: [BacktestTradeView]
    var openTrade: BacktestTradeView?
    var nextCursor: String
    var hasMore: Bool
}

struct JobsPage: Encodable {
    var jobs: [JobView]
    var nextCursor: String
    var hasMore: Bool
}
