import TradingCore

/// One parameter's values to search: from `name=start:stop:step` or its declared range and step.
public struct ParameterRange: Sendable, Hashable {
    public var name: String
    public var values: [Double]

    public init(name: String, values: [Double]) {
        self.name = name
        self.values = values
    }

    /// `start:stop:step` (stop included when on the grid) or a single value.
    public init(parsing text: String) throws(StrategyError) {
        let parts = text.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { throw StrategyError(.invalidParameter, "write a search range as name=start:stop:step, e.g. fast=5:50:5") }
        let bounds = parts[1].split(separator: ":").map { Double($0.trimmingPrefix(while: \.isWhitespace)) }
        guard !bounds.isEmpty, bounds.count <= 3, bounds.allSatisfy({ $0 != nil && $0!.isFinite }) else {
            throw StrategyError(.invalidParameter, "\(text): write the range as numbers start:stop:step, e.g. fast=5:50:5")
        }
        let b = bounds.map { $0! }
        if b.count == 1 {
            self.init(name: String(parts[0]), values: b)
            return
        }
        let step = b.count == 3 ? b[2] : 1
        guard step > 0, b[1] >= b[0] else { throw StrategyError(.invalidParameter, "\(text): the step must be positive and stop at least start") }
        guard (b[1] - b[0]) / step < 1_000_000 else { throw StrategyError(.tooManyTrials, "\(text) has more than a million values") }
        var values: [Double] = []
        var k = 0.0
        while true {
            // Multiples of the step from the start, rounded to 10 digits, so 0.1 steps do not drift.
            let v = ((b[0] + k * step) * 1e10).rounded() / 1e10
            if v > b[1] + step * 1e-9 { break }
            values.append(v)
            k += 1
        }
        self.init(name: String(parts[0]), values: values)
    }

    /// The declared range of `p` on its step.
    public init(declared p: StrategyDocument.ParameterDeclaration) {
        var values: [Double] = []
        var k = 0.0
        while true {
            let v = ((p.minimum + k * p.step) * 1e10).rounded() / 1e10
            if v > p.maximum + p.step * 1e-9 { break }
            values.append(v)
            k += 1
        }
        self.init(name: p.name, values: values)
    }
}

/// Which parameter sets to try: every combination (grid) or a seeded random sample of them.
public enum ParameterSearch: Sendable, Hashable {
    case grid
    case random(count: Int, seed: UInt64)

    /// The sets, in a fixed order (so shards of the same search are disjoint and complete).
    /// Refuses a search over `maxTrials` sets, naming the limit.
    public func sets(_ ranges: [ParameterRange], maxTrials: Int) throws(StrategyError) -> [[String: Double]] {
        let total = ranges.reduce(1.0) { $0 * Double(max(1, $1.values.count)) }
        switch self {
        case .grid:
            guard total <= Double(maxTrials) else {
                throw StrategyError(
                    .tooManyTrials, "the grid has \(Int(min(total, 1e15))) parameter sets, over optimize.max_trials (\(maxTrials)); widen the steps or use a random search")
            }
            var sets: [[String: Double]] = [[:]]
            for r in ranges {
                sets = sets.flatMap { base in r.values.map { v in base.merging([r.name: v]) { $1 } } }
            }
            return sets
        case .random(let count, let seed):
            guard count <= maxTrials else {
                throw StrategyError(.tooManyTrials, "\(count) random sets is over optimize.max_trials (\(maxTrials))")
            }
            var rng = SplitMix64(seed: seed)
            var seen = Set<[Double]>()
            var sets: [[String: Double]] = []
            let wanted = min(count, Int(min(total, Double(Int.max))))
            while sets.count < wanted {
                let values = ranges.map { $0.values[Int(rng.next() % UInt64($0.values.count))] }
                guard seen.insert(values).inserted else { continue }
                sets.append(Dictionary(uniqueKeysWithValues: zip(ranges.map(\.name), values)))
            }
            return sets
        }
    }
}
