import ArgumentParser
import Foundation
import Strategies

/// `tradewind pine`: Pine Script strategies.
struct PineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pine", abstract: "Compile Pine Script strategies to the strategy language.", subcommands: [Compile.self])

    /// `tradewind pine compile FILE`: prints the strategy-language document, or the errors (exit 2).
    struct Compile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a Pine v5/v6 strategy and print the strategy-language document it becomes.",
            discussion: "Errors and warnings go to standard error as FILE:LINE:COLUMN: code: message; an error exits with code 2.")

        @Argument(help: "The Pine script.")
        var file: String

        func run() throws {
            do {
                let compiled = try PineCommand.compile(file: file)
                print(PineCommand.pretty(compiled.document.json))
            } catch let error as CLIInputError {
                throw CLIInputError.exit("pine compile", error.message)
            }
        }
    }

    /// Compiles `file`, printing its warnings to standard error; an error becomes a `CLIInputError`
    /// naming the file, line and column.
    static func compile(file: String) throws -> PineCompilation {
        guard let source = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIInputError(message: "cannot read the Pine file \(file)") }
        do {
            let compiled = try PineCompiler.compile(source)
            for w in compiled.warnings { FileHandle.standardError.write(Data("\(file):\(w.location): warning: \(w.message)\n".utf8)) }
            return compiled
        } catch {
            throw CLIInputError(message: "\(file):\(error.location): \(error.code.rawValue): \(error.message)")
        }
    }

    /// The document indented, keys sorted, for reading.
    static func pretty(_ value: JSONValue) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value.jsonText.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return value.jsonText }
        return String(decoding: data, as: UTF8.self)
    }
}
