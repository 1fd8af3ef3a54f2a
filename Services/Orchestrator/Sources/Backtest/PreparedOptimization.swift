import Contract
import RPC
import ServiceKit
import Foundation
import Strategies
import TradingCore
import Wire

/// An optimisation request checked (strategy, ranges, search size within `optimize.max_trials`,
/// objective, constraints, walk-forward) and its candles loaded, ready to run on the job's thread.
struct PreparedOptimization: Sendable {
    let base: PreparedBacktest
    let optimizer: Optimizer
    let sets: [[String: Double]]
    let walkForward: WalkForward?

    /// Checks `request` without data; the parameter sets to try.
    static func check(_ request: PB.OptimizationRequest, strategy: Strategy, settings: OrchestratorSettings) throws(OrchestratorError)
        -> (sets: [[String: Double]], objective: Objective, constraints: OptimizationConstraints, walkForward: WalkForward?)
    {
        let objective: Objective
        if request.objective.isEmpty {
            objective = .sharpe
        } else if let o = Objective(rawValue: request.objective) {
            objective = o
        } else {
            throw OrchestratorError(
                .invalidArgument, "objective \"\(request.objective.prefix(40))\" is not one of \(Objective.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !request.ranges.isEmpty else {
            throw OrchestratorError(.invalidArgument, "ranges is empty: give at least one declared parameter to search, e.g. {name: fast, from: 5, to: 50, step: 5}")
        }
        let declared = Dictionary(uniqueKeysWithValues: strategy.document.parameters.map { ($0.name, $0) })
        var ranges: [ParameterRange] = []
        for spec in request.ranges {
            guard let d = declared[spec.name] else {
                throw OrchestratorError(
                    .invalidStrategy,
                    "strategy.invalid_parameter: ranges: the strategy declares no parameter \"\(spec.name.prefix(40))\"; it declares \(declared.keys.sorted().joined(separator: ", "))")
            }
            guard !ranges.contains(where: { $0.name == spec.name }) else { throw OrchestratorError(.invalidArgument, "ranges names \(spec.name) twice") }
            if !spec.values.isEmpty {
                ranges.append(ParameterRange(name: spec.name, values: spec.values))
            } else {
                let step = spec.step > 0 ? spec.step : (d.kind == .int ? 1 : d.step)
                let text = "\(spec.name)=\(spec.from):\(spec.to):\(step)"
                ranges.append(try Strategy.checked { () throws(StrategyError) in try ParameterRange(parsing: text) })
            }
        }
        let search: ParameterSearch = request.randomTrials > 0 ? .random(count: Int(request.randomTrials), seed: request.seed) : .grid
        let searched: [[String: Double]]
        do {
            searched = try search.sets(ranges, maxTrials: settings.optimizeMaxTrials)
        } catch {
            throw OrchestratorError(.tooManyTrials, error.message + "; narrow the ranges, use random_trials, or raise optimize.max_trials")
        }
        // The request's own parameter values stay fixed under the searched ones.
        let sets = searched.map { strategy.parameters.merging($0) { $1 } }
        var walkForward: WalkForward?
        if request.walkForwardTrain > 0 || request.walkForwardTest > 0 {
            guard request.walkForwardTrain > 0, request.walkForwardTest > 0 else {
                throw OrchestratorError(.invalidArgument, "walk-forward needs both walk_forward_train and walk_forward_test (bars)")
            }
            walkForward = WalkForward(train: Int(request.walkForwardTrain), test: Int(request.walkForwardTest), anchored: request.walkForwardAnchored)
        }
        guard request.maxDrawdownPct.isFinite, (0...100).contains(request.maxDrawdownPct) else {
            throw OrchestratorError(.invalidArgument, "max_drawdown_pct is \(request.maxDrawdownPct); give 0 (no limit) to 100")
        }
        let constraints = OptimizationConstraints(minTrades: Int(request.minTrades), maxDrawdownPct: request.maxDrawdownPct > 0 ? request.maxDrawdownPct : nil)
        return (sets, objective, constraints, walkForward)
    }

    static func load(_ request: PB.OptimizationRequest, peers: Peers, settings: OrchestratorSettings) async throws -> PreparedOptimization {
        let base = try await PreparedBacktest.load(request.backtest ?? PB.BacktestRequest(), peers: peers, settings: settings)
        let (sets, objective, constraints, walkForward) = try check(request, strategy: base.strategy, settings: settings)
        let optimizer = Optimizer(
            document: base.strategy.document, objective: objective, constraints: constraints,
            settings: BacktestSettings(initialCash: base.cash, calendar: base.calendar), context: base.strategy.context,
            threads: settings.jobThreads)
        return PreparedOptimization(base: base, optimizer: optimizer, sets: sets, walkForward: walkForward)
    }

    /// Runs the search (or the walk-forward); its report as JSON. The external agents' `votes`
    /// (gathered once: they do not depend on the parameters tried) count in every trial.
    func run(votes: BacktestVotes? = nil, progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?) throws(OrchestratorError) -> String {
        var optimizer = optimizer
        optimizer.settings.votes = votes?.byTime(base.series)
        optimizer.settings.progress = progress
        optimizer.settings.isCancelled = isCancelled
        return try Strategy.checked { () throws(StrategyError) in
            if let walkForward {
                return try walkForward.run(optimizer, sets: sets, over: base.series).reportJSON()
            }
            let trials = try optimizer.run(sets.enumerated().map { (index: $0.offset, parameters: $0.element) }, over: base.series)
            let report = OptimizationReport(objective: optimizer.objective, searchSize: sets.count, shard: nil, trials: trials)
            do {
                return String(decoding: try OptimizationReport.encoder.encode(report), as: UTF8.self)
            } catch {
                throw StrategyError(.invalidValue, "the report could not be written: \(error)")
            }
        }
    }
}
