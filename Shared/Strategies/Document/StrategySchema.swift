import Foundation
import Indicators

/// The strategy language as a JSON Schema (draft 2020-12), built from the same enums the reader
/// uses and the indicator catalogue, so it cannot drift from what the engine accepts. It checks
/// shape (fields, kinds, names); meaning (a declared parameter, a condition where one belongs, a
/// warm-up the data covers) is the compiler's, with JSON-pointer errors. The gateway publishes it
/// in its OpenAPI document as `StrategyDocument`.
public enum StrategySchema {
    /// The schema as a JSON object; `$ref`s point into its own `$defs` under `prefix` (the OpenAPI
    /// document puts them under `#/components/schemas/`).
    public static func object(refPrefix prefix: String = "#/$defs/") -> [String: Any] {
        func ref(_ name: String) -> [String: Any] { ["$ref": prefix + name] }
        let quantity: [String: Any] = [
            "description": "a number, or a declared parameter as \"$name\"",
            "oneOf": [["type": "number"], ["type": "string", "pattern": "^\\$[A-Za-z][A-Za-z0-9_]*$"]],
        ]
        let names = IndicatorCatalog.all.map(\.name)
        let indicator: [String: Any] = [
            "type": "object", "required": ["indicator"],
            "properties": [
                "indicator": ["enum": names, "description": "any of the \(names.count) catalogue indicators (tradewind indicators --list)"],
                "params": ["type": "array", "items": ref("Quantity"), "description": "parameters by position"],
                "source": ["enum": PriceSource.allCases.map(\.rawValue)],
                "output": ["type": "string", "description": "the output of a multi-output indicator (macd: macd, signal, hist)"],
            ],
            "additionalProperties": ref("Quantity"),
        ]
        func single(_ key: String, _ value: [String: Any], extra: [String: Any] = [:]) -> [String: Any] {
            ["type": "object", "required": [key] + extra.keys.sorted(), "properties": [key: value].merging(extra) { a, _ in a }, "additionalProperties": false]
        }
        let list: [String: Any] = ["type": "array", "minItems": 1, "items": ref("Expression")]
        var forms: [[String: Any]] = [
            ["type": "number"], ["type": "boolean"],
            [
                "type": "string",
                "description": "a price (\(PriceSource.allCases.map(\.rawValue).joined(separator: ", "))), bar_index, time (the bar's open, Unix ms), na (not known), a signal's name, or \"$parameter\"",
                "pattern": "^\\$?[A-Za-z][A-Za-z0-9_]*$",
            ],
            indicator,
            [
                "type": "object", "required": ["left", "op", "right"], "additionalProperties": false,
                "properties": ["left": ref("Expression"), "op": ["enum": BinaryOperator.allCases.map(\.rawValue)], "right": ref("Expression")],
            ],
            single("and", list), single("or", list), single("not", ref("Expression")),
            single("position", ["enum": PositionField.allCases.map(\.rawValue)]),
            single("time", ["enum": TimeField.allCases.map(\.rawValue)]),
            [
                "type": "object", "required": ["if", "then", "else"], "additionalProperties": false,
                "description": "then when the condition is true, else otherwise (not known counts as false)",
                "properties": ["if": ref("Expression"), "then": ref("Expression"), "else": ref("Expression")],
            ],
            [
                "type": "object", "required": ["previous"], "additionalProperties": false,
                "description": "the named signal's value on the previous bar (initial on the first bar)",
                "properties": ["previous": ["type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"], "initial": ref("Expression")],
            ],
            [
                "type": "object", "required": ["consensus"], "additionalProperties": false,
                "description": "the weighted vote of agents, a number in [-1, 1]; a confident veto agent blocks new entries against it",
                "properties": [
                    "consensus": [
                        "type": "object", "minProperties": 1,
                        "propertyNames": ["enum": TradingAgent.allCases.map(\.rawValue)], "additionalProperties": ref("Quantity"),
                    ],
                    "agent_params": [
                        "type": "object", "propertyNames": ["enum": AgentParameters.catalog.keys.sorted()], "additionalProperties": ref("Quantity"),
                    ],
                    "veto": [
                        "type": "object", "description": "veto agents, each with the confidence (0 to 1) at which it vetoes",
                        "propertyNames": ["enum": TradingAgent.allCases.map(\.rawValue)], "additionalProperties": ref("Quantity"),
                    ],
                ],
            ],
        ]
        forms += Function.allCases.map { f -> [String: Any] in
            let items: [String: Any] = ["type": "array", "minItems": f.arity ?? 2, "items": ref("Expression")]
            return single(f.rawValue, f.arity == 1 ? ref("Expression") : (f.arity == 2 ? items.merging(["maxItems": 2]) { a, _ in a } : items))
        }
        forms += Window.allCases.map { single($0.rawValue, ref("Expression"), extra: ["bars": ref("Quantity")]) }
        let distance: [String: Any] = [
            "oneOf": [
                single("percent", ref("Quantity")),
                ["type": "object", "required": ["atr"], "properties": ["atr": ref("Quantity"), "period": ref("Quantity")], "additionalProperties": false],
                single("points", ref("Quantity")),
                single("price", ref("Expression")),
                [
                    "type": "object", "required": ["level"], "additionalProperties": false,
                    "properties": ["level": ref("Expression"), "side": ["enum": StrategyDocument.PositionSide.allCases.map(\.rawValue)]],
                ],
            ]
        ]
        // A trailing stop: a percent, ATR or point distance, and when it starts (`activation`, a price distance beyond the entry).
        let trailing: [String: Any] = [
            "oneOf": [
                ["type": "object", "required": ["percent"], "properties": ["percent": ref("Quantity"), "activation": ref("Quantity")], "additionalProperties": false],
                [
                    "type": "object", "required": ["atr"], "properties": ["atr": ref("Quantity"), "period": ref("Quantity"), "activation": ref("Quantity")],
                    "additionalProperties": false,
                ],
                ["type": "object", "required": ["points"], "properties": ["points": ref("Quantity"), "activation": ref("Quantity")], "additionalProperties": false],
            ]
        ]
        let bounds: [String: Any] = ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]
        let parameter: [String: Any] = [
            "type": "object", "required": ["default"],
            "properties": [
                "int": bounds, "float": bounds, "default": ["type": "number"], "step": ["type": "number", "exclusiveMinimum": 0],
                "description": ["type": "string"],
            ],
            "oneOf": [["required": ["int"]], ["required": ["float"]]], "additionalProperties": false,
        ]
        let rule: [String: Any] = ["oneOf": [ref("Expression"), ["type": "array", "items": ref("Expression")]]]
        func numberIn(_ low: Double, _ high: Double) -> [String: Any] { ["type": "number", "minimum": low, "maximum": high] }
        let document: [String: Any] = [
            "type": "object", "required": ["version", "rules"], "additionalProperties": false,
            "properties": [
                "version": ["const": StrategyDocument.currentVersion],
                "name": ["type": "string"], "description": ["type": "string"],
                "parameters": ["type": "object", "additionalProperties": ref("Parameter")],
                "signals": ["type": "object", "propertyNames": ["pattern": "^[A-Za-z][A-Za-z0-9_]*$"], "additionalProperties": ref("Expression")],
                "rules": [
                    "type": "object", "additionalProperties": false,
                    "properties": ["entry_long": rule, "exit_long": rule, "entry_short": rule, "exit_short": rule],
                ],
                "exits": [
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "stop_loss": ref("Distance"), "take_profit": ref("Distance"), "trailing_stop": trailing, "max_bars": ref("Quantity"),
                    ],
                ],
                "sizing": [
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "model": ["enum": StrategyDocument.Sizing.Model.allCases.map(\.rawValue)],
                        "quantity": ref("Quantity"), "percent": ref("Quantity"), "multiple": ref("Quantity"), "period": ref("Quantity"),
                        "fraction": ref("Quantity"), "min_trades": ref("Quantity"), "lot": ["type": "number", "exclusiveMinimum": 0],
                        "amount": ref("Quantity"),
                    ],
                ],
                "execution": [
                    "type": "object", "additionalProperties": false,
                    "properties": [
                        "fill": ["enum": StrategyDocument.ExecutionAssumptions.Fill.allCases.map(\.rawValue)],
                        "fee_bps": numberIn(0, 1000), "slippage_bps": numberIn(0, 1000), "slippage_ticks": numberIn(0, 1000), "tick_size": numberIn(1e-8, 1e6),
                        "intrabar": ["enum": StrategyDocument.IntrabarPath.allCases.map(\.rawValue)],
                    ],
                ],
                "pyramiding": ["type": "integer", "minimum": 1, "maximum": 100],
            ],
        ]
        return [
            "StrategyDocument": document, "Expression": ["oneOf": forms], "Quantity": quantity, "Distance": distance, "Parameter": parameter,
        ]
    }

    /// The standalone schema document (the definitions under `$defs`, the document at the root).
    public static var json: String {
        var defs = object()
        var root = defs.removeValue(forKey: "StrategyDocument") as? [String: Any] ?? [:]
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["title"] = "Tradewind strategy document"
        root["$defs"] = defs
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
