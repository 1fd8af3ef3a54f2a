import Foundation

/// The AsyncAPI 3.0 document of the WebSocket (`/ws`), served at `/api/v1/asyncapi.json` (and `/api/asyncapi.json`) beside the
/// OpenAPI one: what a client sends, and every message the hub renders (`LiveMessageType`, so a
/// new kind of update cannot be left out).
enum AsyncAPIDocument {
    static func json() -> String {
        func object(_ properties: [String: Any], required: [String]) -> [String: Any] {
            ["type": "object", "properties": properties, "required": required]
        }
        let channelNames = ["market", "candles", "indicators", "decisions", "orders", "positions", "backtests"]
        let command = object([
            "type": ["type": "string", "enum": ["subscribe", "unsubscribe"]],
            "channel": ["type": "string", "enum": channelNames, "default": "market"],
            "symbol": ["type": "string", "description": "market, candles, indicators: any spelling market-data knows (BTCUSDT, BTC/USDT)"],
            "timeframe": ["type": "string", "enum": ["1m", "5m", "15m", "1h", "4h", "1d"], "description": "candles, indicators"],
            "bot_id": ["type": "string", "format": "uuid", "description": "decisions: one of your bots"],
        ], required: ["type"])
        var messages: [String: Any] = [
            "subscribe": ["name": "subscribe", "summary": "Start (or stop, with type unsubscribe) an update stream", "payload": command],
            "ping": ["name": "ping", "payload": object(["type": ["const": "ping"]], required: ["type"])],
            "pong": ["name": "pong", "payload": object(["type": ["const": "pong"]], required: ["type"])],
            "subscribed": [
                "name": "subscribed", "summary": "The subscription (or unsubscription) took effect",
                "payload": object(["type": ["type": "string", "enum": ["subscribed", "unsubscribed"]], "channel": ["type": "string"]], required: ["type", "channel"]),
            ],
            "error": [
                "name": "error", "summary": "A message was refused; the connection stays",
                "payload": object([
                    "type": ["const": "error"],
                    "error": object(["code": ["type": "string"], "message": ["type": "string"]], required: ["code", "message"]),
                ], required: ["type", "error"]),
            ],
        ]
        for kind in LiveMessageType.allCases {
            messages[kind.rawValue] = [
                "name": kind.rawValue, "summary": "On channel \(kind.summary.channel): \(kind.summary.data)",
                "payload": object(["type": ["const": kind.rawValue], "data": kind.dataSchema], required: ["type", "data"]),
            ]
        }
        let received = ["pong", "subscribed", "error"] + LiveMessageType.allCases.map(\.rawValue)
        let document: [String: Any] = [
            "asyncapi": "3.0.0",
            "info": [
                "title": "Tradewind gateway live updates", "version": "1.0.0",
                "description": "One WebSocket per client: subscribe to channels, receive their updates. A client that falls behind gets the latest price, candle and indicator values per channel (conflated) and every account and job event in order; 4,096 of those behind, it is closed with 1008 ws.too_slow. It never slows others. Limits: ws.max_connections_per_user (1008 ws.too_many_connections), ws.max_subscriptions per connection; a ping every ws.ping_seconds, closed when unanswered; permessage-deflate when offered. Times are Unix milliseconds (integers JavaScript holds exactly); where finer time matters a `*_ns` string carries the nanoseconds. Money and quantities are decimal strings.",
            ],
            "servers": ["gateway": ["host": "127.0.0.1:8080", "protocol": "ws", "description": "wss when the gateway serves TLS"]],
            "channels": [
                "live": [
                    "address": "/ws?token={token}",
                    "parameters": ["token": ["description": "An access token (browsers cannot set headers on a WebSocket)"]],
                    "messages": Dictionary(uniqueKeysWithValues: messages.keys.map { ($0, ["$ref": "#/components/messages/\($0)"]) }),
                ]
            ],
            "operations": [
                "send": [
                    "action": "send", "channel": ["$ref": "#/channels/live"],
                    "messages": ["subscribe", "ping"].map { ["$ref": "#/channels/live/messages/\($0)"] },
                ],
                "receive": [
                    "action": "receive", "channel": ["$ref": "#/channels/live"],
                    "messages": received.map { ["$ref": "#/channels/live/messages/\($0)"] },
                ],
            ],
            "components": ["messages": messages],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
