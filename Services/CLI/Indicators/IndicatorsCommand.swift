import ArgumentParser
import Foundation
import Indicators

/// `tradewind indicators`: runs indicators over a CSV of bars and writes the bars with one column
/// per indicator output.
struct IndicatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "Compute TA-Lib-compatible indicators over a CSV of bars.",
        discussion: """
            The input needs a header with Open, High, Low, Close and Volume (any case, any order); other \
            columns, such as a first date/time column, are copied through. Each --indicator is name:p1,p2,... \
            (defaults for parameters left out). Output columns are named name_p1_p2[_output], e.g. rsi_14, \
            macd_12_26_9_signal; cells are empty during warm-up. Exit code 2 on bad input.
            """)

    @Option(help: "CSV of bars to read.")
    var input: String?

    @Option(help: "CSV to write (default: standard output).")
    var output: String?

    @Option(name: .customLong("indicator"), help: "An indicator spec such as rsi:14 or macd:12,26,9; repeat for more.")
    var indicators: [String] = []

    @Flag(help: "List every indicator with its parameters, defaults and outputs.")
    var list = false

    func run() throws {
        if list {
            print(catalogueListing(), terminator: "")
            return
        }
        do {
            try compute()
        } catch let error as IndicatorError {
            throw fail(error.message)
        } catch let error as BarsTable.InputError {
            throw fail(error.description)
        }
    }

    private func compute() throws {
        guard let input else { throw fail("--input is required (or --list)") }
        guard !indicators.isEmpty else { throw fail("give at least one --indicator, e.g. --indicator rsi:14") }
        let configured = try indicators.map { try ConfiguredIndicator(parsing: $0) }
        let text: String
        do {
            text = try String(contentsOfFile: input, encoding: .utf8)
        } catch {
            throw fail("cannot read \(input): \(error.localizedDescription)")
        }
        let table = try BarsTable(text: text, source: input)
        let results = configured.map { $0.compute(table.series) }

        var out = (table.header + configured.flatMap(\.columnNames)).joined(separator: ",") + "\n"
        out.reserveCapacity(table.rows.count * (table.header.count + 8) * 12)
        for (index, row) in table.rows.enumerated() {
            out += row.joined(separator: ",")
            for columns in results {
                for column in columns {
                    out += ","
                    out += formatCell(column[index])
                }
            }
            out += "\n"
        }
        if let output {
            do {
                try out.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fail("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    /// Reports `message` on standard error and exits with code 2 (bad input).
    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("tradewind indicators: \(message)\n".utf8))
        return ExitCode(2)
    }

    private func catalogueListing() -> String {
        var text = ""
        for definition in IndicatorCatalog.all {
            let parameters = definition.parameters.map { parameter in
                let range = parameter.kind == .movingAverageType
                    ? "MA type: " + MovingAverageType.allCases.map { "\($0.rawValue)=\($0.name)" }.joined(separator: " ")
                    : "\(formatParameter(parameter.minimum))…\(formatParameter(parameter.maximum))"
                return "\(parameter.name)=\(formatParameter(parameter.defaultValue)) [\(range)]"
            }
            let outputs = definition.outputs.isEmpty ? "value" : definition.outputs.joined(separator: ",")
            text += "\(definition.name)\t\(definition.title)\n"
            text += "    parameters: \(parameters.isEmpty ? "none" : parameters.joined(separator: ", "))\n"
            text += "    inputs: \(definition.inputs.map(\.rawValue).joined(separator: ",")); outputs: \(outputs)\n"
        }
        return text
    }
}
