import Foundation
import Testing

/// Runs the built `tradewind` binary, as a user would.
@Suite("tradewind indicators")
struct IndicatorsCommandTests {
    /// `swift build --build-tests` puts the CLI next to the test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("tradewind")

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("IndicatorsTests/Golden/synthetic.csv")

    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }

    /// A bars CSV with a date column and mixed-case headers, from the golden data.
    static func writeBars(rows: Int, mutate: (inout [String]) -> Void = { _ in }) throws -> URL {
        let lines = try String(contentsOf: golden, encoding: .utf8).split(separator: "\n")
        var out = ["Date,OPEN,High,low,Close,Volume"]
        for (index, line) in lines.dropFirst().prefix(rows).enumerated() {
            out.append("2026-01-01T00:\(index / 60):\(index % 60)," + line.split(separator: ",").prefix(5).joined(separator: ","))
        }
        mutate(&out)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bars-\(UUID().uuidString).csv")
        try out.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("writes the input columns, then one column per output, matching TA-Lib's golden values")
    func computesColumns() throws {
        let bars = try Self.writeBars(rows: 300)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString).csv")
        let run = try Self.run([
            "indicators", "--input", bars.path, "--output", output.path, "--indicator", "rsi:14", "--indicator",
            "macd:12,26,9", "--indicator", "bbands:20,2,2",
        ])
        #expect(run.status == 0, "\(run.error)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(
            header == [
                "Date", "OPEN", "High", "low", "Close", "Volume", "rsi_14", "macd_12_26_9_macd", "macd_12_26_9_signal",
                "macd_12_26_9_hist", "bbands_20_2_2_upper", "bbands_20_2_2_middle", "bbands_20_2_2_lower",
            ])
        // Warm-up cells are empty; the first RSI is on bar 14, the first MACD on bar 33.
        let row14 = lines[15].split(separator: ",", omittingEmptySubsequences: false)
        #expect(row14[6] != "" && row14[7] == "")
        let row33 = lines[34].split(separator: ",", omittingEmptySubsequences: false)
        #expect(row33[7] != "")
        // Values round-trip and agree with TA-Lib.
        let reference = try String(contentsOf: Self.golden, encoding: .utf8).split(separator: "\n")
        let referenceHeader = reference[0].split(separator: ",").map(String.init)
        let rsiColumn = try #require(referenceHeader.firstIndex(of: "rsi_14"))
        for bar in 14..<300 {
            let ours = Double(lines[bar + 1].split(separator: ",", omittingEmptySubsequences: false)[6])!
            let theirs = Double(reference[bar + 1].split(separator: ",", omittingEmptySubsequences: false)[rsiColumn])!
            #expect(abs(ours - theirs) <= 1e-9 * max(1, abs(theirs)))
        }
    }

    @Test(
        "bad input exits with code 2 and names the line, column or parameter",
        arguments: [
            (["--indicator", "nosuch:3"], "no indicator named 'nosuch'"),
            (["--indicator", "rsi:1"], "parameter 'period' of rsi"),
            (["--indicator", "rsi:x"], "'x', which is not a number"),
            (["--indicator", "macd:1,2,3,4"], "macd takes 3"),
        ])
    func badSpecs(arguments: [String], message: String) throws {
        let bars = try Self.writeBars(rows: 50)
        let run = try Self.run(["indicators", "--input", bars.path] + arguments)
        #expect(run.status == 2)
        #expect(run.error.contains(message), "\(run.error)")
    }

    @Test("a non-numeric cell is reported with its line and column")
    func badCell() throws {
        let bars = try Self.writeBars(rows: 50) { lines in lines[7] = lines[7].replacingOccurrences(of: ",", with: ",x", options: [], range: lines[7].range(of: ",")) }
        let run = try Self.run(["indicators", "--input", bars.path, "--indicator", "sma:5"])
        #expect(run.status == 2)
        #expect(run.error.contains("line 8, column 'OPEN'"), "\(run.error)")
    }

    @Test("a missing column is named")
    func missingColumn() throws {
        let bars = try Self.writeBars(rows: 50) { lines in lines[0] = lines[0].replacingOccurrences(of: "Volume", with: "Vol") }
        let run = try Self.run(["indicators", "--input", bars.path, "--indicator", "obv"])
        #expect(run.status == 2)
        #expect(run.error.contains("no 'Volume' column"), "\(run.error)")
    }

    @Test("--list names every indicator with parameters, defaults and outputs")
    func list() throws {
        let run = try Self.run(["indicators", "--list"])
        #expect(run.status == 0)
        #expect(run.output.contains("macd\t"))
        #expect(run.output.contains("fast=12"))
        #expect(run.output.contains("outputs: macd,signal,hist"))
        #expect(run.output.split(separator: "\n").filter { !$0.hasPrefix(" ") }.count >= 45)
    }
}
