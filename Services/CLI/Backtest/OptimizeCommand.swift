import ArgumentParser
import Foundation
import Strategies
import TradingCore

/// `tradewind optimize`: grid or random search over a strategy's parameters on every core,
/// optionally walk-forward, optionally one shard of the search; `optimize merge` combines shards.
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize",
        abstract: "Search a strategy's parameters over a CSV of bars (no services needed).",
        discussion: """
            Each --param is a range name=start:stop:step (or name=value to fix it); parameters not named keep \
            their defaults. Prints one JSON report, best first. --shard i/n runs every n-th set from the i-th \
            (0-based); `tradewind optimize merge a.json b.json …` combines the shards' reports.
            """,
        subcommands: [Search.self, Merge.self], defaultSubcommand: Search.self)

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "Run the search (the default).")

        @OptionGroup var options: StrategyRunOptions

        @Option(help: "sharpe, sortino, calmar, total_return or profit_factor.")
        var objective = "sharpe"

        @Option(help: "Sets with fewer closed trades do not qualify.")
        var minTrades = 1

        @Option(help: "Sets with a deeper drawdown (percent, e.g. 25) do not qualify.")
        var maxDrawdown: Double?

        @Option(help: "Try this many random sets instead of the whole grid.")
        var random: Int?

        @Option(help: "Seed of the random search.")
        var seed: UInt64 = 1

        @Option(help: "train=BARS,test=BARS[,anchored]: walk-forward instead of one in-sample search.")
        var walkForward: String?

        @Option(help: "i/n: run only this shard of the search.")
        var shard: String?

        @Option(help: "Refuse searches over this many sets.")
        var maxTrials = 100_000

        @Option(help: "Worker threads (default: every core).")
        var threads: Int?

        func run() throws {
            do {
                try search()
            } catch let error as StrategyError {
                throw CLIInputError.exit("optimize", options.describe(error))
            } catch let error as CLIInputError {
                throw CLIInputError.exit("optimize", error.message)
            }
        }

        private func search() throws {
            ComputeMemory.keepFreedBlocks()
            guard let objective = Objective(rawValue: objective) else {
                throw CLIInputError(message: "--objective is one of \(Objective.allCases.map(\.rawValue).joined(separator: ", ")), not \(self.objective)")
            }
            let loaded = try options.load()
            let ranges = try options.params.map { text throws(StrategyError) in try ParameterRange(parsing: text) }
            let declared = Set(loaded.document.parameters.map(\.name))
            for r in ranges where !declared.contains(r.name) {
                throw CLIInputError(message: "--param \(r.name): the strategy declares no such parameter (it declares \(declared.sorted().joined(separator: ", ")))")
            }
            let search: ParameterSearch = random.map { .random(count: $0, seed: seed) } ?? .grid
            let sets = try search.sets(ranges, maxTrials: maxTrials)
            var optimizer = Optimizer(
                document: loaded.document, objective: objective, constraints: OptimizationConstraints(minTrades: minTrades, maxDrawdownPct: maxDrawdown),
                settings: try options.settings(loaded), context: loaded.context)
            if let threads { optimizer.threads = max(1, threads) }
            if let walkForward {
                let wf = try Self.walkForward(walkForward)
                let outcome = try wf.run(optimizer, sets: sets, over: loaded.series)
                print(try outcome.reportJSON())
                return
            }
            var indexed = sets.enumerated().map { (index: $0.offset, parameters: $0.element) }
            if let shard {
                let (i, n) = try Self.shard(shard)
                indexed = indexed.filter { $0.index % n == i }
            }
            let trials = try optimizer.run(indexed, over: loaded.series)
            let report = OptimizationReport(objective: objective, searchSize: sets.count, shard: shard, trials: trials)
            print(String(decoding: try OptimizationReport.encoder.encode(report), as: UTF8.self))
        }

        static func shard(_ text: String) throws -> (Int, Int) {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
                throw CLIInputError(message: "--shard is i/n with 0 ≤ i < n, e.g. 0/4")
            }
            return (parts[0], parts[1])
        }

        static func walkForward(_ text: String) throws -> WalkForward {
            var train: Int?, test: Int?, anchored = false
            for field in text.split(separator: ",") {
                let kv = field.split(separator: "=")
                if kv.count == 1, kv[0] == "anchored" {
                    anchored = true
                } else if kv.count == 2, let v = Int(kv[1]), v > 0, kv[0] == "train" || kv[0] == "test" {
                    if kv[0] == "train" { train = v } else { test = v }
                } else {
                    throw CLIInputError(message: "--walk-forward is train=BARS,test=BARS[,anchored], e.g. train=500,test=100")
                }
            }
            guard let train, let test else { throw CLIInputError(message: "--walk-forward needs both train= and test=") }
            return WalkForward(train: train, test: test, anchored: anchored)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "merge", abstract: "Combine the reports of a search's shards.")

        @Argument(help: "Shard reports written by `tradewind optimize --shard`.")
        var reports: [String]

        func run() throws {
            var shards: [OptimizationReport] = []
            for path in reports {
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIInputError.exit("optimize merge", "cannot read \(path)") }
                do {
                    shards.append(try OptimizationReport.decoder.decode(OptimizationReport.self, from: data))
                } catch {
                    throw CLIInputError.exit("optimize merge", "\(path) is not an optimize report: \(error)")
                }
            }
            do {
                let merged = try OptimizationReport.merge(shards)
                print(String(decoding: try OptimizationReport.encoder.encode(merged), as: UTF8.self))
            } catch let error as StrategyError {
                throw CLIInputError.exit("optimize merge", error.description)
            }
        }
    }
}
