import ArgumentParser
import Foundation
import Indicators
import Strategies
import TradingCore

/// `tradewind backtest`: runs a strategy document over a CSV of bars, offline, and prints one JSON
/// object of metrics; optionally writes the trades and the equity curve as CSV.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Backtest a strategy over a CSV of bars (no services needed).",
        discussion: """
            The CSV is what `tradewind indicators` reads, with a first column of times: an ISO-8601 date or \
            date-time, or Unix epoch seconds, milliseconds or nanoseconds. Bars must be in time order, once each. \
            The strategy is a strategy-language document (--strategy FILE) or a template (--template NAME; \
            --list-templates shows them). Bad input exits with code 2 and says where it was.
            """)

    @OptionGroup var options: StrategyRunOptions

    @Option(help: "Write the trades as CSV.")
    var trades: String?

    @Option(help: "Write the equity of every bar as CSV.")
    var equity: String?

    @Flag(help: "List the template library and exit.")
    var listTemplates = false

    func run() throws {
        ComputeMemory.keepFreedBlocks()
        if listTemplates {
            for t in StrategyTemplates.all { print("\(t.name): \(t.summary)") }
            return
        }
        do {
            let loaded = try options.load()
            let plan = try StrategyCompiler.compile(loaded.document, parameters: try options.parameterValues(), context: loaded.context)
            let result = try Backtester(plan: plan, settings: options.settings(loaded)).run(loaded.series)
            print(result.summaryJSON(plan: plan))
            if let trades { try BacktestReport.tradesCSV(result, series: loaded.series).write(toFile: trades, atomically: true, encoding: .utf8) }
            if let equity { try BacktestReport.equityCSV(result, series: loaded.series).write(toFile: equity, atomically: true, encoding: .utf8) }
        } catch let error as StrategyError {
            throw CLIInputError.exit("backtest", options.describe(error))
        } catch let error as CLIInputError {
            throw CLIInputError.exit("backtest", error.message)
        }
    }
}

/// Input the command refuses: printed to standard error, exit code 2.
struct CLIInputError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

extension CLIInputError {
    /// Reports `message` on standard error as `tradewind <command>: …`; exit code 2 (bad input).
    static func exit(_ command: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("tradewind \(command): \(message)\n".utf8))
        return ExitCode(2)
    }
}
