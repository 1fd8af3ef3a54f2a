import Foundation
import TradingCore

/// A configured span of time when the macro agent calls risk-off: `FOMC=2026-12-16T19:00:00Z/PT2H`
/// (a label, an RFC 3339 start, and an end or an ISO 8601 duration of hours and minutes).
struct RiskWindow: Sendable, Hashable, CustomStringConvertible {
    var label: String
    var startNs: Int64
    var endNs: Int64

    func contains(_ t: Int64) -> Bool { t >= startNs && t < endNs }

    var description: String { label.isEmpty ? "\(startNs)…\(endNs)" : label }

    struct Malformed: Error, CustomStringConvertible { var description: String }

    /// Windows separated by `;`.
    static func list(_ text: String) throws(Malformed) -> [RiskWindow] {
        var out: [RiskWindow] = []
        for raw in text.split(separator: ";") {
            let entry = raw.trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { continue }
            let labelled = entry.split(separator: "=", maxSplits: 1)
            let label = labelled.count == 2 ? labelled[0].trimmingCharacters(in: .whitespaces) : ""
            let span = (labelled.count == 2 ? labelled[1] : labelled[0]).split(separator: "/", maxSplits: 1)
            let example = "write LABEL=START/END or LABEL=START/PT2H, e.g. FOMC=2026-12-16T19:00:00Z/PT2H"
            guard span.count == 2, let start = TimestampParser.parse(span[0].trimmingCharacters(in: .whitespaces)[...]) else {
                throw Malformed(description: "has \"\(entry.prefix(60))\" without a start time: \(example)")
            }
            let tail = span[1].trimmingCharacters(in: .whitespaces)
            guard let end = TimestampParser.parse(tail[...]) ?? duration(tail).map({ start + $0 }), end > start else {
                throw Malformed(description: "has \"\(entry.prefix(60))\" without an end after its start: \(example)")
            }
            out.append(RiskWindow(label: label.isEmpty ? String(entry.prefix(60)) : label, startNs: start, endNs: end))
        }
        return out
    }

    /// `PT2H`, `PT30M`, `PT1H30M`, `P1D` in nanoseconds.
    static func duration(_ text: String) -> Int64? {
        guard let m = text.wholeMatch(of: #/P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?/#), text.count > 1, text != "PT" else { return nil }
        let days = m.1.flatMap { Int64($0) } ?? 0, hours = m.2.flatMap { Int64($0) } ?? 0, minutes = m.3.flatMap { Int64($0) } ?? 0
        let total = ((days * 24 + hours) * 60 + minutes) * 60_000_000_000
        return total > 0 ? total : nil
    }
}
