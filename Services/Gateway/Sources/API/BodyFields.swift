import Foundation
import HTTPTypes

/// What the request bodies' fields take, by name, as the handlers check them: the OpenAPI
/// document describes each field this precisely, so a request it calls valid is one the API accepts.
enum BodyFields {
    /// A decimal FixedDecimal holds: at most 10 whole digits (no leading zeros) and 8 decimals.
    static let decimal = #"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,8})?$"#
    /// The same, above zero: a whole part from 1, or `0.` with a non-zero digit among the eight.
    static let positiveDecimal: String = {
        let fractions = (0..<8).map { zeros in String(repeating: "0", count: zeros) + "[1-9]" + (zeros < 7 ? "[0-9]{0,\(7 - zeros)}" : "") }
        return #"^([1-9][0-9]{0,9}(\.[0-9]{1,8})?|0\.("# + fractions.joined(separator: "|") + "))$"
    }()
    /// Text without NUL characters (the services' string fields cannot hold them).
    static let text = #"^[^\x00]*$"#
    /// White space spelled out (every Unicode space and line separator, and the control characters
    /// Python's `\s` counts): `\s` means one set to schemathesis's Python and another to the ICU
    /// expressions the handlers check with, so the patterns below never use it.
    static let space = #"\t\n\v\f\r\x1c-\x1f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"#
    /// A chat message: text with something besides white space, checked by the handler with this
    /// same pattern.
    static let chatMessage = #"^[^\x00]*[^\x00"# + space + #"][^\x00]*$"#
    /// Lengths here are in Unicode scalars, what JSON Schema's `maxLength` counts.
    static let chatMessageLength = 4_000
    /// An email address as registration checks it (with `emailLength`).
    static let email = #"^[^@\x00"# + space + #"]+@[^@\x00"# + space + #"]+\.[^@\x00"# + space + #"]+$"#
    static let emailLength = 254

    /// `value` of `field` as the document describes it, or 400 saying what it must be.
    static func check(_ value: String, field: String, pattern: String, maxLength: Int, what: String) throws {
        guard value.unicodeScalars.count <= maxLength, value.range(of: pattern, options: .regularExpression) != nil else {
            throw APIError(.badRequest, "request.invalid_field", "\(field) must be \(what), at most \(maxLength) characters")
        }
    }

    /// A client order id: printable (no control characters), at most `clientOrderIdLength`.
    static let clientOrderId = #"^[^\x00-\x1f\x7f-\x9f]*$"#
    static let clientOrderIdLength = 64
    /// A password: 8 to 72 printable ASCII characters (bcrypt reads 72 bytes).
    static let password = #"^[ -~]{8,72}$"#
    /// A bot's name (the orchestrator keeps at most 100 characters).
    static let botNameLength = 100
    /// An API key's label.
    static let keyLabelLength = 100
    /// The largest Pine source accepted, in characters (the orchestrator refuses past 256 KiB of UTF-8).
    static let pineLength = 262_144
    /// The latest time in milliseconds whose nanoseconds fit the services' Int64 (in 2262).
    static let maxMillis = Int64.max / 1_000_000

    static func schema(_ name: String, type: String) -> [String: Any] {
        switch name {
        case "email": return ["type": type, "maxLength": emailLength, "pattern": email]
        case "pine":
            return ["type": type, "minLength": 1, "maxLength": pineLength, "pattern": text, "description": "A Pine Script v5/v6 strategy (//@version=5 or 6, strategy(…))"]
        case "password", "new_password", "current_password": return ["type": type, "pattern": password]
        case "timeframe": return ["type": type, "enum": QueryParameters.timeframes]
        case "side": return ["type": type, "enum": ["buy", "sell"]]
        case "type": return ["type": type, "enum": ["market", "limit", "stop"]]
        case "mode": return ["type": type, "enum": ["paper"]]
        case "role": return ["type": type, "enum": Role.allCases.map(\.rawValue)]
        case "objective": return ["type": type, "enum": ["sharpe", "sortino", "calmar", "total_return", "profit_factor"]]
        case "quantity", "initial_cash", "limit_price", "stop_price", "stop_loss", "take_profit": return ["type": type, "pattern": positiveDecimal]
        case "message": return ["type": type, "minLength": 1, "maxLength": chatMessageLength, "pattern": chatMessage]
        case "client_order_id": return ["type": type, "maxLength": clientOrderIdLength, "pattern": clientOrderId]
        case "name": return ["type": type, "maxLength": botNameLength, "pattern": text]
        case "label": return ["type": type, "maxLength": keyLabelLength, "pattern": text]
        case "symbol", "reset_token", "refresh_token": return ["type": type, "minLength": 1, "pattern": text]
        case "conversation_id": return ["type": type, "format": "uuid"]
        case "scopes": return ["type": type, "minItems": 1, "items": ["type": "string", "enum": ["read", "trade"]]]
        case "ranges": return ["type": type, "minItems": 1, "items": range]
        // Whole numbers: the range of the field they are read into (beyond it is refused).
        case "from", "to": return ["type": type, "minimum": 0, "maximum": maxMillis, "description": "Unix time in milliseconds (UTC)", "format": "unix-ms"]
        case "min_trades", "random_trials": return ["type": type, "minimum": 0, "maximum": UInt32.max]
        // Within JavaScript's exact integers, so a browser sends the seed it means.
        case "seed": return ["type": type, "minimum": 0, "maximum": maxSafeInteger]
        case "fee_rate": return ["type": type, "minimum": 0, "exclusiveMaximum": 0.1, "description": "Fraction of notional per fill; absent: the strategy's own"]
        case "slippage_bps": return ["type": type, "minimum": 0, "maximum": 1000]
        case "walk_forward":
            let count: [String: Any] = ["type": "integer", "minimum": 0, "maximum": UInt32.max]
            return ["type": type, "required": ["train", "test"], "properties": ["train": count, "test": count, "anchored": ["type": "boolean"]]]
        case "risk":
            return [
                "type": type,
                "properties": [
                    "risk_per_trade": ["type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "Fraction of equity a trade risks; 0 or absent: 0.02"],
                    "max_position_notional": ["type": ["string", "null"], "pattern": decimal, "description": "Cap on the position's notional; 0: none"],
                    "stop_loss_pct": ["type": ["number", "null"], "minimum": 0, "exclusiveMaximum": 1],
                    "take_profit_pct": ["type": ["number", "null"], "minimum": 0, "maximum": 10],
                    "sizing_model": ["type": ["string", "null"], "enum": ["fixed_fraction", "atr", NSNull()]],
                ],
            ]
        default: return type == "string" ? ["type": type, "pattern": text] : ["type": type]
        }
    }

    /// One parameter's range in an optimisation: `from`…`to` by `step`, or listed `values`.
    static var range: [String: Any] { [
        "type": "object", "required": ["name"],
        "properties": [
            "name": ["type": "string", "minLength": 1, "pattern": text], "from": ["type": "number"], "to": ["type": "number"], "step": ["type": "number"],
            "values": ["type": "array", "items": ["type": "number"]],
        ],
    ] }
}
