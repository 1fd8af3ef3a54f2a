import ArgumentParser
import Foundation
import Indicators
import Strategies
import TradingCore

/// The options `backtest` and `optimize` share: the data, the strategy and how to run it.
struct StrategyRunOptions: ParsableArguments {
    @Option(help: "CSV of bars: a time column first, then Open, High, Low, Close, Volume (any case, any order).")
    var data: String

    @Option(help: "A strategy document (JSON).")
    var strategy: String?

    @Option(help: "A template from the library instead of --strategy.")
    var template: String?

    @Option(help: "A Pine Script v5/v6 strategy instead of --strategy (compiled to the strategy language).")
    var pine: String?

    @Option(name: .customLong("param"), help: "Set a declared parameter: name=value (repeatable).")
    var params: [String] = []

    @Option(help: "Starting cash (default 100000, or a Pine script's initial_capital).")
    var cash: String?

    @Option(help: "Fee in basis points of notional (overrides the document).")
    var feeBps: Double?

    @Option(help: "Slippage in basis points of price (overrides the document).")
    var slippageBps: Double?

    @Option(help: "close (the signal bar's close) or next_open (overrides the document).")
    var fill: String?

    @Option(help: "stocks (252 sessions), fx (5 days a week) or crypto (every day): how returns are annualised.")
    var calendar: String = "stocks"

    @Flag(help: "The instrument cannot be sold short: short rules are refused.")
    var longOnly = false

    struct Loaded {
        var document: StrategyDocument
        var series: BarSeries
        var context: CompileContext
        /// A Pine script's `initial_capital`, the starting cash when `--cash` is not given.
        var initialCapital: String?
    }

    /// Reads the strategy (with any overrides of its execution) and the bars.
    func load() throws -> Loaded {
        var document: StrategyDocument
        var initialCapital: String?
        switch (strategy, template, pine) {
        case (let path?, nil, nil):
            guard let t = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIInputError(message: "cannot read the strategy file \(path)") }
            document = try StrategyDocument(json: t)
        case (nil, let name?, nil):
            guard let t = StrategyTemplates.json(named: name) else {
                throw CLIInputError(message: "no template \"\(name)\"; the templates are \(StrategyTemplates.all.map(\.name).joined(separator: ", "))")
            }
            document = try StrategyDocument(json: t)
        case (nil, nil, let path?):
            let compiled = try PineCommand.compile(file: path)
            document = compiled.document
            initialCapital = (try? FixedDecimal(approximating: compiled.initialCapital))?.description
        default:
            throw CLIInputError(message: "give the strategy as --strategy FILE, --template NAME or --pine FILE (one of them)")
        }
        if let feeBps {
            guard (0...1000).contains(feeBps) else { throw CLIInputError(message: "--fee-bps \(feeBps) is outside 0…1000") }
            document.execution.feeBps = feeBps
        }
        if let slippageBps {
            guard (0...1000).contains(slippageBps) else { throw CLIInputError(message: "--slippage-bps \(slippageBps) is outside 0…1000") }
            document.execution.slippageBps = slippageBps
        }
        if let fill {
            guard let f = StrategyDocument.ExecutionAssumptions.Fill(rawValue: fill) else {
                throw CLIInputError(message: "--fill is close or next_open, not \(fill)")
            }
            document.execution.fill = f
        }
        let series = try readBars()
        return Loaded(
            document: document, series: series, context: CompileContext(allowShort: !longOnly, bars: series.count), initialCapital: initialCapital)
    }

    /// `--param` values by name.
    func parameterValues() throws -> [String: Double] {
        var values: [String: Double] = [:]
        for p in params {
            let parts = p.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let v = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw CLIInputError(message: "--param \(p): write it as name=number, e.g. --param fast=12")
            }
            values[String(parts[0])] = v
        }
        return values
    }

    /// The run's settings; the cash is `--cash`, else the Pine script's initial capital, else 100,000.
    func settings(_ loaded: Loaded? = nil) throws -> BacktestSettings {
        let cash = self.cash ?? loaded?.initialCapital ?? "100000"
        guard let initial = try? FixedDecimal(parsing: cash), initial > .zero else {
            throw CLIInputError(message: "--cash \(cash) is not a positive decimal amount")
        }
        guard let cal = TradingCalendar(rawValue: calendar) else {
            throw CLIInputError(message: "--calendar is stocks, fx or crypto, not \(calendar)")
        }
        return BacktestSettings(initialCash: initial, calendar: cal)
    }

    /// The bars of `--data`, their times from the first column.
    func readBars() throws -> BarSeries {
        guard let text = try? String(contentsOfFile: data, encoding: .utf8) else { throw CLIInputError(message: "cannot read the data file \(data)") }
        let table: BarsTable
        do {
            table = try BarsTable(text: text, source: data)
        } catch let error as BarsTable.InputError {
            throw CLIInputError(message: error.description)
        }
        let lowered = table.header.map { $0.lowercased() }
        guard !BarsTable.required.contains(lowered[0]) else {
            throw CLIInputError(message: "\(data) line 1: the first column is '\(table.header[0])'; backtests need a time column first (a date, a date-time or epoch s/ms/ns)")
        }
        var times: [Int64] = []
        times.reserveCapacity(table.rows.count)
        for (i, row) in table.rows.enumerated() {
            guard let t = TimestampParser.parse(row[0]) else {
                throw CLIInputError(
                    message: "\(data) line \(i + 2), column '\(table.header[0])': '\(row[0])' is not a time (use 2024-01-02, 2024-01-02T09:30:00Z or epoch s/ms/ns)")
            }
            times.append(t)
        }
        do {
            return try BarSeries(timesNs: times, prices: table.series)
        } catch {
            throw CLIInputError(message: describe(error))
        }
    }

    /// A strategy error as a person reads it, with the file and line for data errors.
    func describe(_ error: StrategyError) -> String {
        var text = error.description
        if error.code == .invalidData, let range = text.range(of: #"bar (\d+)"#, options: .regularExpression),
            let bar = Int(text[range].dropFirst(4))
        {
            text = text.replacingCharacters(in: range, with: "\(data) line \(bar + 2)")
        }
        return text
    }
}
