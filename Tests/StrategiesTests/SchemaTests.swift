import Foundation
import Indicators
import Strategies
import Testing

/// The published JSON Schema is built from the language itself: every indicator, operator,
/// window, position field and agent is in it, and it is valid JSON.
@Suite struct SchemaTests {
    @Test("the schema names everything the reader accepts")
    func complete() throws {
        let text = StrategySchema.json
        let schema = try JSONValue(parsing: text)
        guard case .object(let root) = schema, case .object(let defs)? = root["$defs"] else {
            Issue.record("the schema has no $defs")
            return
        }
        #expect(root["required"] == .array([.string("version"), .string("rules")]))
        #expect(Set(defs.keys) == ["Expression", "Quantity", "Distance", "Parameter"])
        for name in IndicatorCatalog.all.map(\.name) + BinaryOperator.allCases.map(\.rawValue) + Window.allCases.map(\.rawValue)
            + PositionField.allCases.map(\.rawValue) + TradingAgent.allCases.map(\.rawValue) {
            #expect(text.contains("\"\(name)\""), "\(name) is missing from the schema")
        }
        if let path = ProcessInfo.processInfo.environment["TRADEWIND_WRITE_SCHEMA"] { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }
}
