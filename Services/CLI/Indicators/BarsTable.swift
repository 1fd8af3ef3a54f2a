import Foundation
import Indicators

/// A CSV of bars as `tradewind indicators` reads it: a header naming (in any case) Open, High, Low,
/// Close and Volume, in any order, optionally with a first date/time column and other columns, which
/// are carried through untouched.
struct BarsTable {
    /// The header and rows as read, for writing back unchanged.
    let header: [String]
    let rows: [[Substring]]
    let series: PriceSeries

    /// A problem in the input, named by line and column.
    struct InputError: Error, CustomStringConvertible {
        let description: String
    }

    static let required = ["open", "high", "low", "close", "volume"]

    init(text: String, source: String) throws {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw InputError(description: "\(source) is empty; it needs a header with Open, High, Low, Close, Volume")
        }
        header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let lowered = header.map { $0.lowercased() }
        var positions: [Int] = []
        for name in Self.required {
            guard let index = lowered.firstIndex(of: name) else {
                throw InputError(
                    description: "\(source) line 1: the header has no '\(name.capitalized)' column (found: \(header.joined(separator: ", ")))")
            }
            positions.append(index)
        }
        var columns = [[Double]](repeating: [], count: 5)
        var rows: [[Substring]] = []
        rows.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.dropFirst().enumerated() {
            let number = offset + 2
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count else {
                throw InputError(
                    description: "\(source) line \(number): \(cells.count) cells, but the header has \(header.count) columns")
            }
            for (slot, index) in positions.enumerated() {
                let cell = cells[index].trimmingCharacters(in: .whitespaces)
                guard let value = Double(cell), value.isFinite else {
                    throw InputError(
                        description: "\(source) line \(number), column '\(header[index])': '\(cell)' is not a number")
                }
                columns[slot].append(value)
            }
            rows.append(cells)
        }
        self.rows = rows
        series = PriceSeries(open: columns[0], high: columns[1], low: columns[2], close: columns[3], volume: columns[4])
    }
}

/// A value with enough digits to read back exactly (17 significant); empty when there is none.
func formatCell(_ value: Double) -> String {
    value.isNaN ? "" : String(format: "%.17g", value)
}
