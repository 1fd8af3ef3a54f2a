import Foundation
import Strategies
import Testing

/// Every refusal names where it was (a JSON pointer, or a line and column) and what to do.
@Suite struct ValidationTests {
    static let base = #"{"version": 1, "rules": {"entry_long": [RULE]}}"#

    static func error(_ json: String, parameters: [String: Double] = [:], context: CompileContext = CompileContext()) -> StrategyError? {
        do {
            let document = try StrategyDocument(json: json)
            _ = try StrategyCompiler.compile(document, parameters: parameters, context: context)
            return nil
        } catch {
            return error
        }
    }

    static func rule(_ rule: String) -> String { base.replacingOccurrences(of: "RULE", with: rule) }

    @Test("an unknown indicator is named with its pointer and the nearest name")
    func unknownIndicator() {
        let e = Self.error(Self.rule(#"{"left": {"indicator": "rsx", "period": 14}, "op": "<", "right": 30}"#))
        #expect(e?.code == .unknownIndicator)
        #expect(e?.pointer == "/rules/entry_long/0/left/indicator")
        #expect(e?.message.contains(#"did you mean "rsi"?"#) == true)
    }

    @Test("a parameter referenced but not declared is refused where it is used")
    func undeclaredParameter() {
        let e = Self.error(Self.rule(#"{"left": {"indicator": "sma", "period": "$fast"}, "op": ">", "right": "close"}"#))
        #expect(e?.code == .unknownName)
        #expect(e?.pointer == "/rules/entry_long/0/left/period")
        #expect(e?.message.contains("declare it under /parameters") == true)
    }

    @Test("a number where a condition belongs, and a condition where a number belongs")
    func kinds() {
        let number = Self.error(Self.rule(#"{"indicator": "rsi"}"#))
        #expect(number?.code == .invalidValue)
        #expect(number?.pointer == "/rules/entry_long/0")
        let condition = Self.error(Self.rule(#"{"left": {"left": "close", "op": ">", "right": 1}, "op": "+", "right": 1}"#))
        #expect(condition?.pointer == "/rules/entry_long/0/left")
    }

    @Test("a multi-output indicator needs its output named, and a wrong one gets a suggestion")
    func outputs() {
        let missing = Self.error(Self.rule(#"{"left": {"indicator": "macd"}, "op": ">", "right": 0}"#))
        #expect(missing?.code == .invalidField)
        #expect(missing?.message.contains(#""hist""#) == true)
        let wrong = Self.error(Self.rule(#"{"left": {"indicator": "macd", "output": "histo"}, "op": ">", "right": 0}"#))
        #expect(wrong?.pointer == "/rules/entry_long/0/left/output")
        #expect(wrong?.message.contains(#"did you mean "hist"?"#) == true)
    }

    @Test("out-of-range indicator parameters, unknown parameter names and sources on multi-input indicators")
    func indicatorArguments() {
        let range = Self.error(Self.rule(#"{"left": {"indicator": "rsi", "period": 1}, "op": "<", "right": 30}"#))
        #expect(range?.code == .invalidValue)
        let name = Self.error(Self.rule(#"{"left": {"indicator": "rsi", "periods": 14}, "op": "<", "right": 30}"#))
        #expect(name?.pointer == "/rules/entry_long/0/left/periods")
        #expect(name?.message.contains(#"did you mean "period"?"#) == true)
        let source = Self.error(Self.rule(#"{"left": {"indicator": "atr", "source": "hl2"}, "op": ">", "right": 1}"#))
        #expect(source?.pointer == "/rules/entry_long/0/left/source")
    }

    @Test("a short rule on a long-only instrument is refused")
    func shorting() {
        let json = #"{"version": 1, "rules": {"entry_short": [{"left": "close", "op": "<", "right": 1}]}}"#
        let e = Self.error(json, context: CompileContext(allowShort: false))
        #expect(e?.code == .shortingNotAllowed)
        #expect(e?.pointer == "/rules/entry_short/0")
        #expect(Self.error(json, context: CompileContext(allowShort: true)) == nil)
    }

    @Test("data shorter than the warm-up is refused, saying how many bars are needed")
    func warmup() {
        let json = Self.rule(#"{"left": {"indicator": "sma", "period": 50}, "op": "<", "right": "close"}"#)
        let e = Self.error(json, context: CompileContext(bars: 40))
        #expect(e?.code == .notEnoughData)
        #expect(e?.message.contains("50 bars") == true)
        #expect(Self.error(json, context: CompileContext(bars: 50)) == nil)
    }

    @Test("parameters set from outside must be declared and in range")
    func parameterOverrides() {
        let json = #"{"version": 1, "parameters": {"n": {"int": [2, 50], "default": 10}}, "rules": {"entry_long": [{"left": {"indicator": "sma", "period": "$n"}, "op": "<", "right": "close"}]}}"#
        #expect(Self.error(json, parameters: ["n": 20]) == nil)
        #expect(Self.error(json, parameters: ["m": 20])?.message.contains(#"did you mean "n"?"#) == true)
        #expect(Self.error(json, parameters: ["n": 51])?.code == .invalidParameter)
        #expect(Self.error(json, parameters: ["n": 2.5])?.code == .invalidParameter)
    }

    @Test("signals that refer to each other in a loop are refused")
    func cycles() {
        let json = #"{"version": 1, "signals": {"a": {"left": "b", "op": "+", "right": 1}, "b": {"left": "a", "op": "+", "right": 1}}, "rules": {"entry_long": [{"left": "a", "op": ">", "right": 0}]}}"#
        #expect(Self.error(json)?.code == .cycle)
    }

    @Test("syntax errors name line and column; unknown fields and versions are refused")
    func syntax() {
        let e = Self.error("{\"version\": 1,\n  \"rules\": {\"entry_long\": [}\n}")
        #expect(e?.code == .malformed)
        #expect(e?.message.hasPrefix("line 2, column 28") == true, "\(String(describing: e))")
        let field = Self.error(#"{"version": 1, "rulez": {}, "rules": {"entry_long": [true]}}"#)
        #expect(field?.pointer == "/rulez")
        #expect(field?.message.contains(#"did you mean "rules"?"#) == true)
        #expect(Self.error(#"{"version": 2, "rules": {"entry_long": [true]}}"#)?.code == .unsupportedVersion)
        #expect(Self.error(#"{"rules": {"entry_long": [true]}}"#)?.pointer == "/version")
    }

    @Test("risk_percent sizing needs a stop to size to")
    func sizingNeedsStop() {
        let json = #"{"version": 1, "rules": {"entry_long": [true]}, "sizing": {"model": "risk_percent", "percent": 1}}"#
        #expect(Self.error(json)?.pointer == "/sizing/model")
    }

    @Test("every template compiles with its defaults", arguments: StrategyTemplates.all.map(\.name))
    func templates(name: String) throws {
        let document = try StrategyDocument(json: StrategyTemplates.json(named: name)!)
        _ = try StrategyCompiler.compile(document)
    }
}
