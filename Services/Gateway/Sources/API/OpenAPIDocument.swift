import Foundation
import HTTPTypes
import Strategies

/// The OpenAPI 3.1 document of the REST API, made from the route table the router serves.
enum OpenAPIDocument {
    static func json(for routes: [Route]) -> String {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            var operation: [String: Any] = [
                "summary": route.summary,
                "operationId": route.method.rawValue.lowercased() + route.path.replacingOccurrences(of: "[^A-Za-z0-9]+", with: "_", options: .regularExpression),
                "responses": responses(route),
            ]
            if let role = route.role {
                operation["security"] = [["bearer": []], ["apiKey": []]]
                operation["description"] = "Needs the \(role.rawValue) role or higher."
            }
            var parameters: [[String: Any]] = route.path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
                let name = String($0.dropFirst().dropLast())
                // Ids are UUIDs; a symbol is any spelling market-data knows.
                let schema: [String: Any] = name == "id" ? ["type": "string", "format": "uuid"] : ["type": "string", "pattern": BodyFields.text]
                return ["name": name, "in": "path", "required": true, "schema": schema]
            }
            parameters += route.query.map { ["name": $0, "in": "query", "required": false, "schema": QueryParameters.schema($0, path: route.path)] }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if !route.body.isEmpty {
                var properties: [String: Any] = [:]
                var required: [String] = []
                for (name, type) in route.body where name != "*" {
                    let bare = type.hasSuffix("!") ? String(type.dropLast()) : type
                    var field: [String: Any] =
                        name == "strategy" ? ["$ref": "#/components/schemas/StrategyConfig"]
                        : name == "document" ? ["$ref": "#/components/schemas/StrategyDocument"] : BodyFields.schema(name, type: bare)
                    if type.hasSuffix("!") {
                        required.append(name)
                    } else if field["$ref"] == nil, name != "pine" {
                        // An optional field may also be sent as null (it reads as absent).
                        field["type"] = [bare, "null"]
                        if let values = field["enum"] as? [Any] { field["enum"] = values + [NSNull()] }
                    }
                    properties[name] = field
                }
                var schema: [String: Any] = ["type": "object", "properties": properties]
                if !required.isEmpty { schema["required"] = required }
                // A strategy is saved from a document or from Pine source: one of them.
                if route.body.contains(where: { $0.key == "document" }), route.body.contains(where: { $0.key == "pine" }) { schema["anyOf"] = [["required": ["document"]], ["required": ["pine"]]] }
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": schema]]]
            }
            paths[route.versionedPath, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Tradewind gateway", "version": "1.0.0",
                "description": """
                    REST API of the Tradewind trading platform, version 1. Every path is also served without `/v1` \
                    (`/api/bots` is `/api/v1/bots`): the seed's paths, kept as aliases of this version. \
                    Times are Unix milliseconds (integers JavaScript holds exactly); where finer time matters \
                    (ticks, orders, trades) a `*_ns` string carries the nanoseconds. Money and quantities are \
                    decimal strings; every other integer is within ±(2^53 − 1). WebSocket live updates on /ws, \
                    described in the AsyncAPI document at /api/v1/asyncapi.json.
                    """,
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"],
                    "apiKey": ["type": "apiKey", "in": "header", "name": "Authorization", "description": "ApiKey <id>.<secret>"],
                ],
                "schemas": StrategySchema.object(refPrefix: "#/components/schemas/").merging([
                    "StrategyConfig": [
                        "type": "object", "additionalProperties": false,
                        "description": "A template by name (with its declared parameters), or a strategy document of your own",
                        "properties": [
                            "name": ["type": "string", "pattern": BodyFields.text],
                            "parameters": ["type": "object", "propertyNames": ["pattern": BodyFields.text], "additionalProperties": ["type": "number"]],
                            "agents": [
                                "type": "object", "propertyNames": ["enum": TradingAgent.allCases.map(\.rawValue)],
                                "additionalProperties": ["type": "number", "minimum": 0, "maximum": 1],
                            ],
                            "consensus_threshold": ["type": "number"],
                            "document": ["oneOf": [["$ref": "#/components/schemas/StrategyDocument"], ["type": "string", "pattern": BodyFields.text]]],
                            "strategy_id": ["type": "string", "format": "uuid"], "strategy_version": ["type": "integer", "minimum": 1, "maximum": UInt32.max],
                            "pine": BodyFields.schema("pine", type: "string"),
                        ],
                    ],
                    "Error": [
                        "type": "object", "required": ["error"],
                        "properties": [
                            "error": [
                                "type": "object", "required": ["code", "message"],
                                "properties": ["code": ["type": "string"], "message": ["type": "string"]],
                            ]
                        ],
                    ]
                ]) { a, _ in a },
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func responses(_ route: Route) -> [String: Any] {
        let error: [String: Any] = ["content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func described(_ text: String) -> [String: Any] { error.merging(["description": text]) { a, _ in a } }
        let okCode = String(route.success.code)
        var out: [String: Any] = [
            "400": described("Malformed request: what to fix"),
            "429": described("Rate limited (Retry-After)"),
            "503": described("A service behind the gateway is unavailable"),
        ]
        if let answers = route.answers {
            out[okCode] = ["description": "OK", "content": [answers.mediaType: ["schema": answers.schema]]] as [String: Any]
        } else {
            out[okCode] = ["description": "Done"]
        }
        if route.role != nil {
            out["401"] = described("Missing, expired or forged token")
            out["403"] = described("Role too low")
        }
        if route.path.contains("{") || !route.body.isEmpty {
            out["404"] = described("Not found: the resource, or a symbol or strategy the request names (also another user's)")
        }
        if !route.body.isEmpty {
            out["413"] = described("The body is over 1 MiB")
            out["422"] = described("Understood but refused by a rule (a risk limit, a search over optimize.max_trials, a job not done)")
        }
        if route.method == .post, route.path == "/api/auth/register" {
            out["409"] = described("The email is already registered")
            out["403"] = described("Registration is closed, or needs a valid invite")
        }
        if route.role == nil, route.path != "/api/auth/register" { out["401"] = described("Wrong credentials, or a token that is unknown, used or expired") }
        if route.method == .delete, route.path == "/api/users/{id}" { out["409"] = described("An admin cannot delete themself") }
        if route.path.hasPrefix("/api/auth/login") { out["429"] = described("Rate limited, or too many failed logins (Retry-After)") }
        if route.path.hasSuffix("/trades") || route.path.hasSuffix("/equity") { out["422"] = described("The backtest is not done yet") }
        if route.path.hasSuffix("/disabled") { out["409"] = described("An admin cannot disable themself") }
        return out
    }
}
