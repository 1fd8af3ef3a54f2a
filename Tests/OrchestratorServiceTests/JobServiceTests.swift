import Contract
import Foundation
import Logging
import PlatformTesting
import RPC
import ServiceKitTesting
import Store
import Strategies
import Testing
import TradingCore
import Wire

@testable import OrchestratorService

/// Backtests and optimisations as jobs: queued, run, stored, paged; owner-scoped; refused before
/// queuing when invalid or too large; cancelled with nothing kept; failed (not left running) by a
/// restart.
@Suite("Jobs", .serialized)
struct JobServiceTests {
    /// SMA cross with declared periods on 1-minute BTC bars.
    static let strategy = PB.StrategyConfig(name: "sma_cross", parameters: ["fast": 3, "slow": 8])

    static func backtest(_ t0: Int64, bars: Int) -> PB.BacktestRequest {
        PB.BacktestRequest(
            symbol: "BTC/USDT", timeframe: .m1, range: PB.TimeRange(fromNs: t0, toNs: t0 + Int64(bars) * minute), strategy: strategy,
            initialCash: dec("100000"))
    }

    /// Polls the job until it leaves queued and running.
    static func finished(_ orchestrator: OrchestratorClient, _ id: String, owner: String) async throws -> PB.Job {
        for _ in 0..<400 {
            let job = try await orchestrator.getJob(PB.GetJobRequest(id: id, ownerId: owner))
            if job.status != .queued && job.status != .running { return job }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("job \(id) did not finish")
        return try await orchestrator.getJob(PB.GetJobRequest(id: id, ownerId: owner))
    }

    static func code(_ body: () async throws -> Void) async -> String {
        do {
            try await body()
            return ""
        } catch {
            return "\(RPCError.from(error).error.code) \(RPCError.from(error).error.message)"
        }
    }

    @Test func jobsRunStoreAndStayWithTheirOwner() async throws {
        try await withPlatform { p in
            let schema = TestEnvironment.uniqueName("jobs")
            defer { Task { await ServiceHarness.dropSchema(schema) } }
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 900) * minute
            var price = 40_000.0
            var built: [PB.Candle] = []
            for (i, step) in [1.0, 1.004, 0.996, 1.005, 0.995, 1.003, 0.997].enumerated() {
                built += candles(from: t0 + Int64(i * 40) * minute, count: 40, price: &price, step: step)
            }
            let bars = built
            try await p.market.deliver(bars, publish: false)
            let jobId: String = try await withOrchestrator(p, schema: schema, adjust: { $0.optimizeMaxTrials = 20 }) { orchestrator in
                // A backtest job: queued, done, its metrics, trades (paged) and equity (downsampled).
                let queued = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: Self.backtest(t0, bars: bars.count)))
                #expect(queued.status == .queued && queued.kind == .backtest)
                let done = try await Self.finished(orchestrator, queued.id, owner: "ada")
                #expect(done.status == .done && done.progress == 1 && done.error.isEmpty)
                let metrics = try #require(try JSONSerialization.jsonObject(with: Data(done.resultJson.utf8)) as? [String: Any])
                let tradeCount = try #require(metrics["trades"] as? Int)
                #expect(tradeCount >= 3)
                var trades: [PB.BacktestTrade] = []
                var cursor = ""
                repeat {
                    let page = try await orchestrator.listJobTrades(PB.ListJobTradesRequest(id: done.id, ownerId: "ada", page: PB.PageRequest(limit: 2, cursor: cursor)))
                    #expect(page.trades.count <= 2)
                    trades += page.trades
                    cursor = page.page?.nextCursor ?? ""
                } while !cursor.isEmpty
                #expect(trades.count == tradeCount && trades.map(\.entryNs) == trades.map(\.entryNs).sorted())
                let curve = try await orchestrator.getJobEquity(PB.GetJobEquityRequest(id: done.id, ownerId: "ada", points: 10))
                let firstBar = bars.first?.openTimeNs, lastBar = bars.last?.openTimeNs
                #expect(curve.points.count == 10)
                #expect(curve.points.first?.tsNs == firstBar && curve.points.last?.tsNs == lastBar)
                let all = try await orchestrator.getJobEquity(PB.GetJobEquityRequest(id: done.id, ownerId: "ada", points: 100_000))
                #expect(all.points.count == bars.count)

                // Only its owner sees it: anyone else gets not found, as for an id that does not exist.
                #expect(await Self.code { _ = try await orchestrator.getJob(PB.GetJobRequest(id: done.id, ownerId: "bob")) }.hasPrefix("not_found"))
                #expect(await Self.code { _ = try await orchestrator.cancelJob(PB.GetJobRequest(id: done.id, ownerId: "bob")) }.hasPrefix("not_found"))
                #expect(await Self.code {
                    _ = try await orchestrator.listJobTrades(PB.ListJobTradesRequest(id: done.id, ownerId: "bob"))
                }.hasPrefix("not_found"))
                #expect(try await orchestrator.listJobs(PB.ListJobsRequest(ownerId: "ada", kind: .backtest)).jobs.map(\.id) == [done.id])
                #expect(try await orchestrator.listJobs(PB.ListJobsRequest(ownerId: "bob", kind: .backtest)).jobs.isEmpty)

                // Refused before queuing: a bad document, a search over optimize.max_trials, an undeclared parameter.
                var bad = Self.backtest(t0, bars: bars.count)
                bad.strategy = PB.StrategyConfig(document: #"{"version": 1, "rules": {"entry_long": [{"indicator": "rsx"}]}}"#)
                #expect(await Self.code { _ = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: bad)) }
                    .contains("orchestrator.invalid_strategy: strategy.unknown_indicator: /rules/entry_long/0/indicator"))
                var huge = PB.OptimizationRequest(
                    backtest: Self.backtest(t0, bars: bars.count),
                    ranges: [PB.ParameterRangeSpec(name: "fast", from: 2, to: 6), PB.ParameterRangeSpec(name: "slow", from: 8, to: 12)])
                #expect(await Self.code { _ = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: huge)) }
                    .contains("orchestrator.too_many_trials") )
                huge.ranges = [PB.ParameterRangeSpec(name: "fastest", from: 2, to: 6)]
                #expect(await Self.code { _ = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: huge)) }
                    .contains("declares no parameter \"fastest\""))

                // An optimisation: every set tried and ranked, its report stored with the job.
                let search = PB.OptimizationRequest(
                    backtest: Self.backtest(t0, bars: bars.count),
                    ranges: [PB.ParameterRangeSpec(name: "fast", values: [2, 3, 4]), PB.ParameterRangeSpec(name: "slow", from: 8, to: 12, step: 2)],
                    objective: "total_return")
                let optimization = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: search))
                let optimized = try await Self.finished(orchestrator, optimization.id, owner: "ada")
                #expect(optimized.status == .done && optimized.kind == .optimization)
                let report = try #require(try JSONSerialization.jsonObject(with: Data(optimized.resultJson.utf8)) as? [String: Any])
                #expect((report["results"] as? [Any])?.count == 9 && report["search_size"] as? Int == 9)
                #expect(await Self.code { _ = try await orchestrator.getJobEquity(PB.GetJobEquityRequest(id: optimized.id, ownerId: "ada")) }
                    .contains("belong to backtests"))

                // Cancelled: nothing of it is kept, and it stays cancelled.
                let doomed = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: search))
                #expect(try await orchestrator.cancelJob(PB.GetJobRequest(id: doomed.id, ownerId: "ada")).status == .cancelled)
                try await Task.sleep(for: .milliseconds(300))
                let cancelled = try await orchestrator.getJob(PB.GetJobRequest(id: doomed.id, ownerId: "ada"))
                #expect(cancelled.status == .cancelled && cancelled.resultJson.isEmpty)

                // Deleted, running or done: gone for its owner, and nobody else may delete it.
                let deleting = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", optimization: search))
                #expect(await Self.code { _ = try await orchestrator.deleteJob(PB.GetJobRequest(id: deleting.id, ownerId: "bob")) }.hasPrefix("not_found"))
                _ = try await orchestrator.deleteJob(PB.GetJobRequest(id: deleting.id, ownerId: "ada"))
                #expect(await Self.code { _ = try await orchestrator.getJob(PB.GetJobRequest(id: deleting.id, ownerId: "ada")) }.hasPrefix("not_found"))
                _ = try await orchestrator.deleteJob(PB.GetJobRequest(id: optimized.id, ownerId: "ada"))
                #expect(await Self.code { _ = try await orchestrator.getJob(PB.GetJobRequest(id: optimized.id, ownerId: "ada")) }.hasPrefix("not_found"))
                #expect(await Self.code { _ = try await orchestrator.deleteJob(PB.GetJobRequest(id: optimized.id, ownerId: "ada")) }.hasPrefix("not_found"))
                return done.id
            }

            // A job a stopped process left running is failed by the next one, never left running.
            let admin = try Store(configuration: TestEnvironment.postgres, logger: Logger(label: "test"))
            try await admin.unsafeExecuteRaw("UPDATE \"\(schema)\".jobs SET status = 'running' WHERE id = '\(jobId)'")
            try await withOrchestrator(p, schema: schema) { orchestrator in
                var job = try await orchestrator.getJob(PB.GetJobRequest(id: jobId, ownerId: "ada"))
                // Up to 30 s: the new process fails it as it starts, which a loaded machine can make slow.
                // Until then the job reads as its stored message says (done: only the status column was
                // set above), so wait for the failure itself, not for "not running".
                for _ in 0..<1500 where job.status != .failed {
                    try await Task.sleep(for: .milliseconds(20))
                    job = try await orchestrator.getJob(PB.GetJobRequest(id: jobId, ownerId: "ada"))
                }
                #expect(job.status == .failed && job.error.hasPrefix("orchestrator.interrupted"))
            }
        }
    }

    @Test func savedStrategiesAreVersionedOwnedAndRunByIdAndVersion() async throws {
        try await withPlatform { p in
            let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 900) * minute
            var price = 40_000.0
            var built: [PB.Candle] = []
            for (i, step) in [1.004, 0.996, 1.005, 0.995].enumerated() {
                built += candles(from: t0 + Int64(i * 40) * minute, count: 40, price: &price, step: step)
            }
            let bars = built
            try await p.market.deliver(bars, publish: false)
            let account = try await p.execution.createAccount(PB.CreateAccountRequest(ownerId: "ada", initialCash: dec("100000"))).id
            try await withOrchestrator(p) { orchestrator in
                let v1 = #"{"version": 1, "name": "mine", "parameters": {"n": {"int": [2, 50], "default": 5}}, "rules": {"entry_long": [{"left": "close", "op": ">", "right": {"indicator": "sma", "period": "$n"}}], "exit_long": [{"left": "close", "op": "<", "right": {"indicator": "sma", "period": "$n"}}]}}"#
                let v2 = v1.replacingOccurrences(of: #""default": 5"#, with: #""default": 8"#)
                // Checked without saving: what it computes and how long it warms up.
                let checked = try await orchestrator.saveStrategy(PB.SaveStrategyRequest(ownerId: "ada", document: v1, validateOnly: true))
                #expect(checked.id.isEmpty && checked.warmupBars == 4 && checked.indicators == ["sma_5"] && checked.parameters == ["n": 5])
                #expect(await Self.code {
                    _ = try await orchestrator.saveStrategy(PB.SaveStrategyRequest(ownerId: "ada", document: v1.replacingOccurrences(of: "\"sma\"", with: "\"smma\"")))
                }.contains("/rules/entry_long/0/right/indicator"))

                let first = try await orchestrator.saveStrategy(PB.SaveStrategyRequest(ownerId: "ada", document: v1))
                let second = try await orchestrator.saveStrategy(PB.SaveStrategyRequest(ownerId: "ada", id: first.id, document: v2))
                #expect(first.version == 1 && second.id == first.id && second.version == 2 && second.parameters == ["n": 8])
                // Another user can neither read nor extend it.
                #expect(await Self.code { _ = try await orchestrator.saveStrategy(PB.SaveStrategyRequest(ownerId: "bob", id: first.id, document: v2)) }.hasPrefix("not_found"))
                #expect(await Self.code { _ = try await orchestrator.getSavedStrategy(PB.GetSavedStrategyRequest(id: first.id, ownerId: "bob")) }.hasPrefix("not_found"))
                #expect(try await orchestrator.getSavedStrategy(PB.GetSavedStrategyRequest(id: first.id, ownerId: "ada", version: 1)).document == v1)
                // A version past what storage holds is one nobody saved (found by schemathesis: it was a 500).
                #expect(await Self.code { _ = try await orchestrator.getSavedStrategy(PB.GetSavedStrategyRequest(id: first.id, ownerId: "ada", version: 4_294_967_294)) }.hasPrefix("not_found"))
                #expect(try await orchestrator.getSavedStrategy(PB.GetSavedStrategyRequest(id: first.id, ownerId: "ada")).version == 2)
                #expect(try await orchestrator.listSavedStrategies(PB.ListSavedStrategiesRequest(ownerId: "ada")).strategies.map(\.version) == [2])

                // A bot runs a saved strategy pinned at the version it was made with.
                let bot = try await orchestrator.createBot(PB.CreateBotRequest(
                    ownerId: "ada", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(strategyId: first.id, strategyVersion: 1), accountId: account))
                #expect(bot.strategy?.strategyVersion == 1 && bot.strategy?.parameters == ["n": 5])
                #expect(try StrategyDocument(json: bot.strategy?.document ?? "") == StrategyDocument(json: v1))
                #expect(await Self.code {
                    _ = try await orchestrator.createBot(PB.CreateBotRequest(
                        ownerId: "bob", symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(strategyId: first.id), accountId: account))
                }.hasPrefix("not_found"))
                // A job reads it when submitted (the latest version here).
                var request = Self.backtest(t0, bars: bars.count)
                request.strategy = PB.StrategyConfig(strategyId: first.id)
                let job = try await orchestrator.submitJob(PB.SubmitJobRequest(ownerId: "ada", backtest: request))
                #expect(job.backtest?.strategy?.strategyVersion == 2 && job.backtest?.strategy?.document == v2)
                #expect(try await Self.finished(orchestrator, job.id, owner: "ada").status == .done)
            }
        }
    }
}
