import Contract
import Foundation
@testable import GatewayService
import Strategies
import Testing
import Wire

/// The OpenAPI response schemas are derived from the views; these check that what the API encoder
/// writes for a view, optionals filled in, is what its schema admits, and nothing else.
@Suite struct ResponseSchemaTests {
    @Test func snakeCaseMatchesTheEncoders() throws {
        struct Keys: Encodable { var createdAtNs = 0, change24hPct = 0, accessToken = 0, id = 0, nextURLPath = 0, a = 0 }
        let object = try JSONSerialization.jsonObject(with: JSONBody.encoder.encode(Keys())) as! [String: Any]
        let ours = ["createdAtNs", "change24hPct", "accessToken", "id", "nextURLPath", "a"].map(SchemaEncoder.snakeCase)
        #expect(Set(ours) == Set(object.keys))
    }

    @Test func filledViewsConformToTheirSchemas() throws {
        var job = PB.Job(id: "j", kind: .backtest, status: .done, resultJson: #"{"final_equity":"101.5","sharpe":1.2,"trades":3,"open_trade":false}"#)
        job.backtest = PB.BacktestRequest(symbol: "BTC/USDT", timeframe: .m1, strategy: PB.StrategyConfig(name: "sma_cross", parameters: ["fast": 3]))
        var optimization = PB.Job(id: "o", kind: .optimization, resultJson: #"{"ranked":[{"fast":3}]}"#)
        optimization.optimization = PB.OptimizationRequest()
        var decision = PB.Decision(id: "d", action: .buy, opinions: [PB.AgentOpinion(agent: "rsi", action: .buy, confidence: 0.7)])
        decision.riskOutcome = PB.Status(message: "sized down")
        let checks: [(String, any Encodable, [String: Any])] = [
            ("job", JobView(job), SchemaEncoder.schema(ofType: JobView.self)!),
            ("optimization", JobView(optimization), SchemaEncoder.schema(ofType: JobView.self)!),
            ("decision", DecisionView(decision), SchemaEncoder.schema(ofType: DecisionView.self)!),
            ("key", GatewayAPI.KeyView(id: "k", label: "ci", scopes: ["read"], revoked: false, createdAt: UnixMillis(nanoseconds: 1_796_316_351_061_353_670), key: "k.s"), SchemaEncoder.schema(ofType: GatewayAPI.KeyView.self)!),
            ("chat", ChatView(conversationId: "c", reply: "r", proposedStrategy: StrategyView(PB.StrategyConfig(name: "x", document: "{}", strategyId: "s", strategyVersion: 2)), clarifyingQuestions: ["q"]),
             SchemaEncoder.schema(ofType: ChatView.self)!),
            ("trades", TradesPage(trades: [BacktestTradeView(PB.BacktestTrade())], openTrade: BacktestTradeView(PB.BacktestTrade()), nextCursor: "", hasMore: true),
             SchemaEncoder.schema(ofType: TradesPage.self)!),
            ("audit", AuditPageView(service: "gateway", PB.AuditPage(entries: [PB.AuditRecord(seq: 1)], nextBeforeSeq: 9)), SchemaEncoder.schema(ofType: AuditPageView.self)!),
            ("portfolio", PortfolioView(account: PB.Account(), positions: [PB.Position()]), SchemaEncoder.schema(ofType: PortfolioView.self)!),
            ("bots", ["bots": [BotView(PB.Bot(strategy: PB.StrategyConfig(name: "x", parameters: ["a": 1])))]], ResponseSchema.list("bots", of: BotView.self).schema),
            ("trade", TradeView(PB.Trade(openedAtNs: 1_796_316_351_061_353_670, closedAtNs: 1_796_316_351_999_999_999)), SchemaEncoder.schema(ofType: TradeView.self)!),
            ("market_update", MarketUpdate(symbol: "BTCUSDT", canonicalSymbol: "BTC/USDT", price: 1, change: 2.5, timestamp: UnixMillis(nanoseconds: -1), timestampNs: UnixNanosText(nanoseconds: -1)),
             LiveMessageType.marketUpdate.dataSchema),
            ("equity", EquityCurveView(equity: [.init(time: UnixMillis(nanoseconds: 1_796_316_351_061_353_670), equity: "100.5")]), SchemaEncoder.schema(ofType: EquityCurveView.self)!),
            ("templates", ["templates": [TemplateView(PB.StrategyInfo(name: "t", document: #"{"rules":[1]}"#))]], ResponseSchema.list("templates", of: TemplateView.self).schema),
        ]
        for (name, value, schema) in checks {
            let json = Self.json(String(decoding: try JSONBody.encoder.encode(value), as: UTF8.self))
            #expect(Self.violations(json, schema, at: "") == [], "\(name)")
        }
        // The JobView's optional metrics and report are described, not left out.
        let jobProperties = SchemaEncoder.schema(ofType: JobView.self)!["properties"] as! [String: Any]
        #expect((jobProperties["metrics"] as? [String: Any])?["type"] as? String == "object" && jobProperties["report"] != nil)
        #expect(((SchemaEncoder.schema(ofType: JobView.self)!["required"] as? [String]) ?? []).contains("metrics") == false)
    }

    @Test func timesAreMillisecondsWithNanosecondsAsText() throws {
        #expect(UnixMillis(nanoseconds: 1_796_316_351_061_353_670).milliseconds == 1_796_316_351_061)
        #expect(UnixMillis(nanoseconds: -1).milliseconds == -1 && UnixMillis(nanoseconds: -1_000_000).milliseconds == -1)
        let text = String(decoding: try JSONBody.encoder.encode(
            MarketUpdate(symbol: "BTCUSDT", canonicalSymbol: "BTC/USDT", price: 45_000, change: 2.5,
                         timestamp: UnixMillis(nanoseconds: 1_700_000_000_000_123_456), timestampNs: UnixNanosText(nanoseconds: 1_700_000_000_000_123_456))), as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["timestamp"] as? Int == 1_700_000_000_000 && object["timestamp_ns"] as? String == "1700000000000123456")
        #expect(object["symbol"] as? String == "BTCUSDT" && object["canonical_symbol"] as? String == "BTC/USDT")
    }

    /// The checker below is not lenient: a value of the wrong type, a missing required key or an
    /// undeclared key are each found.
    @Test func theCheckerFindsMismatches() {
        let schema = SchemaEncoder.schema(ofType: GatewayAPI.TokenView.self)!
        #expect(Self.violations(Self.json(#"{"token":"t","expires_at":1}"#), schema, at: "") == [])
        #expect(Self.violations(Self.json(#"{"token":1,"expires_at":1}"#), schema, at: "") == ["/token: not string"])
        #expect(Self.violations(Self.json(#"{"token":"t","expires_at":1.5}"#), schema, at: "") == ["/expires_at: not integer"])
        #expect(Self.violations(Self.json(#"{"token":"t"}"#), schema, at: "") == ["/expires_at: missing"])
        // A nanosecond time where milliseconds belong is past JavaScript's exact integers.
        #expect(Self.violations(Self.json(#"{"token":"t","expires_at":1796316351061353670}"#), schema, at: "") == ["/expires_at: not integer"])
        #expect(Self.violations(Self.json(#"{"token":"t","expires_at":1,"extra":true}"#), schema, at: "") == ["/extra: not declared"])
    }

    /// Where `value` breaks `schema` (the JSON Schema keywords the derived schemas use).
    static func violations(_ value: JSONValue, _ schema: [String: Any], at pointer: String) -> [String] {
        var out: [String] = []
        if let type = schema["type"] as? String {
            let ok: Bool
            switch (type, value) {
            case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number), ("null", .null): ok = true
            case ("integer", .number(let n)): ok = n.rounded() == n && abs(n) <= 9_007_199_254_740_991
            default: ok = false
            }
            if !ok { return ["\(pointer): not \(type)"] }
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in (schema["required"] as? [String] ?? []) where object[key] == nil { out.append("\(pointer)/\(key): missing") }
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    out += violations(item, property, at: "\(pointer)/\(key)")
                } else if schema["additionalProperties"] as? Bool == false {
                    out.append("\(pointer)/\(key): not declared")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    out += violations(item, extra, at: "\(pointer)/\(key)")
                }
            }
        }
        if case .number(let n) = value {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, n < minimum { out.append("\(pointer): below \(minimum)") }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, n > maximum { out.append("\(pointer): above \(maximum)") }
        }
        if case .string(let text) = value, let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
            out.append("\(pointer): does not match \(pattern)")
        }
        if case .array(let array) = value {
            let prefix = schema["prefixItems"] as? [[String: Any]] ?? []
            for (i, item) in array.enumerated() {
                if i < prefix.count {
                    out += violations(item, prefix[i], at: "\(pointer)/\(i)")
                } else if let items = schema["items"] as? [String: Any] {
                    out += violations(item, items, at: "\(pointer)/\(i)")
                } else if schema["items"] as? Bool == false {
                    out.append("\(pointer)/\(i): not allowed")
                }
            }
        }
        return out
    }

    static func json(_ text: String) -> JSONValue { (try? JSONValue(parsing: text)) ?? .null }
}
