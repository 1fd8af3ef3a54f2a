import Dispatch
import Foundation
import Synchronization
import TradingCore

/// What an optimisation maximises.
public enum Objective: String, Sendable, Hashable, CaseIterable {
    case sharpe, sortino, calmar
    case totalReturn = "total_return"
    case profitFactor = "profit_factor"

    public func score(_ m: BacktestMetrics) -> Double {
        switch self {
        case .sharpe: m.sharpe
        case .sortino: m.sortino
        case .calmar: m.calmar
        case .totalReturn: m.totalReturnPct
        case .profitFactor: m.profitFactor.isFinite ? m.profitFactor : 1e9
        }
    }
}

/// Sets that do not qualify, whatever their score.
public struct OptimizationConstraints: Sendable, Hashable {
    public var minTrades: Int
    /// A drawdown deeper than this percent (a positive number) disqualifies.
    public var maxDrawdownPct: Double?

    public init(minTrades: Int = 1, maxDrawdownPct: Double? = nil) {
        self.minTrades = minTrades
        self.maxDrawdownPct = maxDrawdownPct
    }

    public func admits(_ m: BacktestMetrics) -> Bool {
        m.trades >= minTrades && (maxDrawdownPct.map { -m.maxDrawdownPct <= $0 } ?? true)
    }
}

/// One parameter set's outcome.
public struct Trial: Sendable {
    public var index: Int
    public var parameters: [String: Double]
    public var metrics: BacktestMetrics
    public var score: Double
    public var feasible: Bool
    /// Per-bar returns' mean and deviation, skewness and kurtosis: for the deflated Sharpe ratio.
    public var returnMoments: ReturnMoments
}

/// Runs a strategy over many parameter sets on every core and ranks them.
public struct Optimizer: Sendable {
    public var document: StrategyDocument
    public var objective: Objective
    public var constraints: OptimizationConstraints
    public var settings: BacktestSettings
    public var context: CompileContext
    /// Worker threads (the machine's cores by default).
    public var threads: Int

    public init(
        document: StrategyDocument, objective: Objective = .sharpe, constraints: OptimizationConstraints = .init(),
        settings: BacktestSettings = .init(), context: CompileContext = .init(), threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.document = document
        self.objective = objective
        self.constraints = constraints
        self.settings = settings
        self.context = context
        self.threads = max(1, threads)
    }

    /// Backtests every set (indices as given, so shards keep their place), best first: feasible
    /// before infeasible, then by score. Each worker keeps its own indicator cache over `series`.
    public func run(_ sets: [(index: Int, parameters: [String: Double])], over series: BarSeries) throws(StrategyError) -> [Trial] {
        // Every set compiles before any runs, so a bad one fails the search at once.
        var plans: [StrategyPlan] = []
        for set in sets { plans.append(try StrategyCompiler.compile(document, parameters: set.parameters, context: context)) }
        let results = Mutex<[Int: Result<Trial, StrategyError>]>([:])
        let next = Atomic<Int>(0)
        let workers = min(threads, max(1, plans.count))
        let plansCopy = plans
        // Progress and cancellation are the search's: a trial's backtest neither reports nor polls.
        var trialSettings = settings
        trialSettings.progress = nil
        trialSettings.isCancelled = nil
        let settingsForTrials = trialSettings
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let columns = IndicatorColumns(series)
            while true {
                let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < plansCopy.count else { return }
                if settings.isCancelled?() == true { return }
                let outcome: Result<Trial, StrategyError>
                do throws(StrategyError) {
                    let r = try Backtester(plan: plansCopy[k], settings: settingsForTrials).run(series, columns: columns)
                    outcome = .success(
                        Trial(
                            index: sets[k].index, parameters: sets[k].parameters, metrics: r.metrics, score: objective.score(r.metrics),
                            feasible: constraints.admits(r.metrics), returnMoments: ReturnMoments(equity: r.equity)))
                } catch {
                    outcome = .failure(error)
                }
                results.withLock { $0[k] = outcome }
                let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                settings.progress?(Double(finished) / Double(plansCopy.count))
            }
        }
        if settings.isCancelled?() == true { throw StrategyError(.cancelled, "the optimisation was cancelled") }
        var trials: [Trial] = []
        for k in 0..<plans.count {
            switch results.withLock({ $0[k] }) {
            case .success(let t): trials.append(t)
            case .failure(let e): throw e
            case nil: throw StrategyError(.cancelled, "the optimisation stopped before set \(k)")
            }
        }
        return Self.rank(trials)
    }

    /// Feasible first, then by score (higher is better), then by index for a stable order.
    public static func rank(_ trials: [Trial]) -> [Trial] {
        trials.sorted {
            if $0.feasible != $1.feasible { return $0.feasible }
            let a = $0.score.isNaN ? -Double.infinity : $0.score, b = $1.score.isNaN ? -Double.infinity : $1.score
            return a != b ? a > b : $0.index < $1.index
        }
    }
}
