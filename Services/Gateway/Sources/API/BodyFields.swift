/// What the request bodies' fields take, by name, as the handlers check them: the OpenAPI
/// document describes each field this precisely, so a request it calls valid is one the API accepts.
enum BodyFields {
    static let decimal = #"^-?[0-9]+(\.[0-9]+)?$"#

    static func schema(_ name: String, type: String) -> [String: Any] {
        switch name {
        case "email": return ["type": type, "maxLength": 254, "pattern": #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#]
        case "password", "new_password", "current_password":
            // The API takes any 8 characters up to 72 bytes (bcrypt's limit); the document promises the ASCII part of that.
            return ["type": type, "pattern": #"^[ -~]{8,72}$"#]
        case "timeframe": return ["type": type, "enum": QueryParameters.timeframes]
        case "side": return ["type": type, "enum": ["buy", "sell"]]
        case "type": return ["type": type, "enum": ["market", "limit", "stop"]]
        case "mode": return ["type": type, "enum": ["paper"]]
        case "role": return ["type": type, "enum": Role.allCases.map(\.rawValue)]
        case "objective": return ["type": type, "enum": ["sharpe", "sortino", "calmar", "total_return", "profit_factor"]]
        case "quantity", "initial_cash", "limit_price", "stop_price", "stop_loss", "take_profit": return ["type": type, "pattern": decimal]
        case "symbol", "message", "reset_token", "refresh_token": return ["type": type, "minLength": 1]
        case "scopes": return ["type": type, "minItems": 1, "items": ["type": "string", "enum": ["read", "trade"]]]
        case "ranges": return ["type": type, "minItems": 1, "items": ["type": "object"]]
        default: return ["type": type]
        }
    }
}
