import Foundation
import Hummingbird

/// The query parameters the API takes, in one table: handlers read them with `integer(_:_:path:)`
/// and friends, and the OpenAPI document describes them from the same rules, so what it promises is
/// what is checked.
enum QueryParameters {
    /// Whole-number parameters and the values they take.
    static let integers: [String: ClosedRange<Int>] = ["limit": 1...1000, "before": 1...Int(maxSafeInteger), "version": 1...Int(Int32.max), "points": 2...100_000, "days": 1...90]
    /// Where a route takes other values than the table's.
    static let overrides: [String: [String: ClosedRange<Int>]] = ["/api/assets/{symbol}/history": ["limit": 1...10_000]]
    /// A page cursor as the services issue them (`PageCursor`): any value of this shape names a position.
    static let cursorPattern = #"^p1\.[0-9a-z]{1,12}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#
    static let timeframes = ["1m", "5m", "15m", "1h", "4h", "1d"]
    static let services = ["gateway", "orchestrator", "risk", "execution", "market-data"]

    static func range(_ name: String, path: String) -> ClosedRange<Int>? { overrides[path]?[name] ?? integers[name] }

    /// The JSON Schema of `name` on `path`.
    static func schema(_ name: String, path: String) -> [String: Any] {
        if let range = range(name, path: path) { return ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound] }
        switch name {
        case "cursor": return ["type": "string", "pattern": cursorPattern]
        case "timeframe": return ["type": "string", "enum": timeframes]
        case "service": return ["type": "string", "enum": services]
        case "all": return ["type": "string", "enum": ["true", "false"]]
        default: return ["type": "string"]
        }
    }

    /// The whole number `name` holds on `path` (nil when absent), or 400 naming it and its range.
    static func integer(_ name: String, _ request: Request, path: String) throws -> Int? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        let range = Self.range(name, path: path) ?? Int.min...Int.max
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "request.invalid_field", "\(name) \"\(text.prefix(12))\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The page cursor in the query (empty when absent), or 400 when it is not one the services issue.
    static func cursor(_ request: Request) throws -> String {
        guard let text = request.uri.queryParameters.get("cursor") else { return "" }
        guard text.range(of: cursorPattern, options: .regularExpression) != nil else {
            throw APIError(.badRequest, "request.invalid_field", "cursor is not one this API issued; pass next_cursor back unchanged")
        }
        return text
    }
}
