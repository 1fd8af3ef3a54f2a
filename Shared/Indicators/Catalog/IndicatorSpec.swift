/// An indicator as a person writes it: `rsi:14`, `macd:12,26,9`, `sar:0.02,0.2`, or just `obv`.
/// Parameters left out take their defaults.
public struct IndicatorSpec: Sendable, Hashable, CustomStringConvertible {
    /// Lower-case function name, e.g. "macd".
    public var name: String
    /// The parameters given, in the catalogue's order (may be fewer than the indicator takes).
    public var parameters: [Double]

    public init(name: String, parameters: [Double] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// Parses `name[:p1,p2,...]`.
    public init(parsing text: String) throws(IndicatorError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingWhitespace().lowercased()
        guard !name.isEmpty else {
            throw IndicatorError(.malformedSpec, "'\(text)' has no indicator name; write it as name:p1,p2 (e.g. rsi:14)")
        }
        var parameters: [Double] = []
        if parts.count == 2 {
            for (position, field) in parts[1].split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let trimmed = field.trimmingWhitespace()
                guard let value = Double(trimmed), value.isFinite else {
                    throw IndicatorError(
                        .badParameter, "parameter \(position + 1) of '\(text)' is '\(trimmed)', which is not a number")
                }
                parameters.append(value)
            }
        }
        self.init(name: name, parameters: parameters)
    }

    public var description: String {
        parameters.isEmpty ? name : name + ":" + parameters.map(formatParameter).joined(separator: ",")
    }
}

/// A parameter as it appears in column names and specs: integers without a decimal point, other
/// values in their shortest exact form ("0.02").
public func formatParameter(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
