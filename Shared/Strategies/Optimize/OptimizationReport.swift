import Foundation

/// An optimisation's ranked results as JSON: what `tradewind optimize` prints, what a shard writes
/// and what `optimize merge` combines (shards of one search hold disjoint sets by index).
public struct OptimizationReport: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        public var index: Int
        public var parameters: [String: Double]
        public var score: Double
        public var feasible: Bool
        public var metrics: BacktestMetrics
        public var moments: ReturnMoments
    }

    public var objective: String
    /// Sets in the whole search (all shards).
    public var searchSize: Int
    /// Sets whose results this report holds.
    public var trials: Int
    /// `i/n` when the report is one shard, else nil.
    public var shard: String?
    /// The deflated Sharpe ratio of the best feasible set given every trial here.
    public var deflatedSharpe: Double?
    public var results: [Entry]

    public init(objective: Objective, searchSize: Int, shard: String?, trials: [Trial]) {
        self.objective = objective.rawValue
        self.searchSize = searchSize
        self.shard = shard
        self.trials = trials.count
        results = trials.map { Entry(index: $0.index, parameters: $0.parameters, score: $0.score, feasible: $0.feasible, metrics: $0.metrics, moments: $0.returnMoments) }
        deflatedSharpe = Self.deflated(results)
    }

    /// One report from shards of the same search, ranked again.
    public static func merge(_ shards: [OptimizationReport]) throws(StrategyError) -> OptimizationReport {
        guard var merged = shards.first else { throw StrategyError(.invalidValue, "nothing to merge") }
        guard shards.allSatisfy({ $0.objective == merged.objective && $0.searchSize == merged.searchSize }) else {
            throw StrategyError(.invalidValue, "the reports are not shards of one search (objectives or search sizes differ)")
        }
        var seen = Set<Int>()
        var all: [Entry] = []
        for e in shards.flatMap(\.results) where seen.insert(e.index).inserted { all.append(e) }
        merged.results = all.sorted {
            if $0.feasible != $1.feasible { return $0.feasible }
            let a = $0.score.isNaN ? -Double.infinity : $0.score, b = $1.score.isNaN ? -Double.infinity : $1.score
            return a != b ? a > b : $0.index < $1.index
        }
        merged.trials = merged.results.count
        merged.shard = merged.trials == merged.searchSize ? nil : "\(merged.trials) of \(merged.searchSize)"
        merged.deflatedSharpe = deflated(merged.results)
        return merged
    }

    static func deflated(_ entries: [Entry]) -> Double? {
        guard let best = entries.first(where: \.feasible) else { return nil }
        let p = DeflatedSharpe.probability(best: best.moments, trialSharpes: entries.map(\.moments.sharpe))
        return p.isFinite ? p : nil
    }

    /// Encoder and decoder with snake_case keys and infinities spelled as strings.
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
