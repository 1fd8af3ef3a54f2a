import Contract
import Foundation
import Strategies
import HTTPTypes
import TradingCore
import Wire

// The REST API's JSON shapes (snake_case keys; money and quantities as exact decimal strings;
// times as Unix milliseconds, with nanoseconds as text where finer time matters: `TimeFields.swift`).
// One view per wire message the API shows.

func decimalText(_ d: PB.Decimal?) -> String { FixedDecimal(wire: d).description }

struct UserView: Encodable {
    var id, email, role, accountId: String
    var disabled: Bool
    var createdAt: UnixMillis
    init(_ u: UserRecord) {
        (id, email, role, accountId, disabled, createdAt) = (u.id, u.email, u.role.rawValue, u.accountId, u.disabled, UnixMillis(nanoseconds: u.createdAtNs))
    }
}

struct SessionView: Encodable {
    var user: UserView
    var accessToken, refreshToken: String
    var tokenType = "Bearer"
    var expiresIn: Int
}

struct AssetView: Encodable {
    var symbol, assetClass, baseCurrency, quoteCurrency, tickSize, lotSize: String
    var price, bid, ask, change24h, change24hPct, volume24h, high24h, low24h: Double
    /// The last tick's time, and to the nanosecond; absent before the first tick.
    var timestamp: UnixMillis?
    var timestampNs: UnixNanosText?
    init(_ i: PB.Instrument, _ q: PB.Quote?) {
        symbol = i.symbol
        assetClass = "\(i.assetClass)"
        baseCurrency = i.baseCurrency
        quoteCurrency = i.quoteCurrency
        tickSize = decimalText(i.tickSize)
        lotSize = decimalText(i.lotSize)
        let q = q ?? PB.Quote()
        (price, bid, ask, change24h, change24hPct, volume24h, high24h, low24h) =
            (q.last, q.bid, q.ask, q.change24h, q.change24hPct, q.volume24h, q.high24h, q.low24h)
        if q.tsNs != 0 { (timestamp, timestampNs) = (UnixMillis(nanoseconds: q.tsNs), UnixNanosText(nanoseconds: q.tsNs)) }
    }
}

struct CandleView: Encodable {
    var openTime: UnixMillis
    var open, high, low, close, volume: Double
    var closed: Bool
    init(_ c: PB.Candle) {
        (openTime, open, high, low, close, volume, closed) = (UnixMillis(nanoseconds: c.openTimeNs), c.open, c.high, c.low, c.close, c.volume, c.closed)
    }
}

/// A strategy as the API shows and takes it: a template `name` with `parameters` (and a consensus
/// preset's `agents` and `consensus_threshold`), or a strategy-language `document`, given as a
/// JSON object or as its text and shown as its text.
struct StrategyView: Codable {
    var name: String?
    var parameters: [String: Double]?
    var agents: [String: Double]?
    var consensusThreshold: Double?
    /// The document's JSON text. Read from the raw body (`document(in:)`): the decoder's snake_case
    /// key conversion would rename the document's own keys.
    var document: String?

    /// A saved strategy of yours by id, at a version (absent: the latest).
    var strategyId: String?
    var strategyVersion: UInt32?
    /// A Pine Script strategy instead of a document.
    var pine: String?

    private enum CodingKeys: String, CodingKey { case name, parameters, agents, consensusThreshold, document, strategyId, strategyVersion, pine }

    init(_ s: PB.StrategyConfig?) {
        let s = s ?? PB.StrategyConfig()
        name = s.name
        parameters = s.parameters
        agents = Dictionary(s.agents.map { ($0.agent, $0.weight) }, uniquingKeysWith: { a, _ in a })
        consensusThreshold = s.consensusThreshold
        document = s.document.isEmpty ? nil : s.document
        strategyId = s.strategyId.isEmpty ? nil : s.strategyId
        strategyVersion = s.strategyVersion == 0 ? nil : s.strategyVersion
        pine = s.pine.isEmpty ? nil : s.pine
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        parameters = try c.decodeIfPresent([String: Double].self, forKey: .parameters)
        agents = try c.decodeIfPresent([String: Double].self, forKey: .agents)
        consensusThreshold = try c.decodeIfPresent(Double.self, forKey: .consensusThreshold)
        strategyId = try c.decodeIfPresent(String.self, forKey: .strategyId)
        strategyVersion = try c.decodeIfPresent(UInt32.self, forKey: .strategyVersion)
        pine = try c.decodeIfPresent(String.self, forKey: .pine)
    }

    var wire: PB.StrategyConfig {
        PB.StrategyConfig(
            name: name ?? "", parameters: parameters ?? [:], agents: (agents ?? [:]).sorted { $0.key < $1.key }.map { PB.AgentWeight(agent: $0.key, weight: $0.value) },
            consensusThreshold: consensusThreshold ?? 0, document: document ?? "", strategyId: strategyId ?? "", strategyVersion: strategyVersion ?? 0,
            pine: pine ?? "")
    }

    /// The text of `strategy.document` in the raw JSON `body` (an object is written back exactly as
    /// sent, keys untouched; a string is taken as the document's text), nil when absent.
    static func document(in body: Data) throws -> String? {
        let root: JSONValue
        do { root = try JSONValue(parsing: String(decoding: body, as: UTF8.self)) } catch {
            throw APIError(.badRequest, "request.invalid_json", error.message)
        }
        guard case .object(let o) = root, case .object(let strategy)? = o["strategy"], let document = strategy["document"] else { return nil }
        switch document {
        case .string(let text): return text
        case .object: return document.jsonText
        case .null: return nil
        default: throw APIError(.badRequest, "request.invalid_json", "strategy.document is a strategy-language object (or its JSON text), not \(document.kind)")
        }
    }
}

struct RiskView: Codable {
    var riskPerTrade: Double?
    var maxPositionNotional: String?
    var stopLossPct: Double?
    var takeProfitPct: Double?
    var sizingModel: String?
    init(_ r: PB.BotRiskSettings?) {
        let r = r ?? PB.BotRiskSettings()
        (riskPerTrade, maxPositionNotional, stopLossPct, takeProfitPct, sizingModel) =
            (r.riskPerTrade, decimalText(r.maxPositionNotional), r.stopLossPct, r.takeProfitPct, r.sizingModel)
    }
    func wire() throws -> PB.BotRiskSettings {
        if sizingModel?.isEmpty == true {
            throw APIError(.badRequest, "request.invalid_field", "risk.sizing_model is empty; use fixed_fraction or atr, or leave it out")
        }
        return PB.BotRiskSettings(
            riskPerTrade: riskPerTrade ?? 0, maxPositionNotional: try Money.parse(maxPositionNotional ?? "0", field: "risk.max_position_notional", positive: false).wire,
            stopLossPct: stopLossPct ?? 0, takeProfitPct: takeProfitPct ?? 0, sizingModel: sizingModel ?? "")
    }
}

struct BotView: Encodable {
    var id, name, symbol, timeframe, mode, accountId, state, lastError: String
    var strategy: StrategyView
    var risk: RiskView
    var running: Bool
    var createdAt, updatedAt: UnixMillis
    init(_ b: PB.Bot) {
        id = b.id
        name = b.name
        symbol = b.symbol
        timeframe = Timeframe(wire: b.timeframe)?.rawValue ?? ""
        mode = "paper"
        accountId = b.accountId
        state = botState(b.state)
        lastError = b.lastError
        strategy = StrategyView(b.strategy)
        risk = RiskView(b.risk)
        running = b.desiredRunning
        (createdAt, updatedAt) = (UnixMillis(nanoseconds: b.createdAtNs), UnixMillis(nanoseconds: b.updatedAtNs))
    }
}

func botState(_ s: PB.BotState) -> String {
    switch s {
    case .running: "running"
    case .starting: "starting"
    case .stopping: "stopping"
    case .error: "error"
    default: "stopped"
    }
}

struct OpinionView: Encodable {
    var agent, action, reasoning: String
    var confidence, weight: Double
}

struct DecisionView: Encodable {
    var id, symbol, timeframe, action, reasoning: String
    /// Absent for an analysis (no bot), and when no order was placed.
    var botId, orderId: String?
    var confidence: Double
    var opinions: [OpinionView]
    /// The open time of the candle decided on, and when the decision was made.
    var candleOpenTime, createdAt: UnixMillis
    var riskOutcome: String?
    init(_ d: PB.Decision) {
        id = d.id
        botId = d.botId.isEmpty ? nil : d.botId
        symbol = d.symbol
        timeframe = Timeframe(wire: d.timeframe)?.rawValue ?? ""
        action = actionWord(d.action)
        reasoning = d.reasoning
        orderId = d.orderId.isEmpty ? nil : d.orderId
        confidence = d.confidence
        opinions = d.opinions.map { OpinionView(agent: $0.agent, action: actionWord($0.action), reasoning: $0.reasoning, confidence: $0.confidence, weight: $0.weight) }
        (candleOpenTime, createdAt) = (UnixMillis(nanoseconds: d.candleOpenTimeNs), UnixMillis(nanoseconds: d.createdAtNs))
        riskOutcome = d.riskOutcome?.message
    }
}

func actionWord(_ a: PB.Action) -> String {
    switch a {
    case .buy: "buy"
    case .sell: "sell"
    case .close: "close"
    default: "hold"
    }
}

struct OrderView: Encodable {
    var id, clientOrderId, symbol, side, type, status, quantity, filledQuantity, averageFillPrice, fees, rejectReason: String
    /// Absent for a manual order.
    var botId: String?
    var createdAt: UnixMillis
    var createdAtNs: UnixNanosText
    init(_ o: PB.Order) {
        (id, clientOrderId, symbol) = (o.id, o.clientOrderId, o.symbol)
        side = o.side == .buy ? "buy" : "sell"
        type = "\(o.type)"
        status = "\(o.status)"
        (quantity, filledQuantity, averageFillPrice, fees) =
            (decimalText(o.quantity), decimalText(o.filledQuantity), decimalText(o.averageFillPrice), decimalText(o.fees))
        (rejectReason, botId) = (o.rejectReason, o.botId.isEmpty ? nil : o.botId)
        (createdAt, createdAtNs) = (UnixMillis(nanoseconds: o.createdAtNs), UnixNanosText(nanoseconds: o.createdAtNs))
    }
}

struct PositionView: Encodable {
    var symbol, quantity, averagePrice, marketPrice, unrealizedPnl, realizedPnl, stopLoss, takeProfit: String
    init(_ p: PB.Position) {
        symbol = p.symbol
        (quantity, averagePrice, marketPrice) = (decimalText(p.quantity), decimalText(p.averagePrice), decimalText(p.marketPrice))
        (unrealizedPnl, realizedPnl) = (decimalText(p.unrealizedPnl), decimalText(p.realizedPnl))
        (stopLoss, takeProfit) = (decimalText(p.stopLoss), decimalText(p.takeProfit))
    }
}

struct TradeView: Encodable {
    var id, symbol, side, quantity, entryPrice, exitPrice, realizedPnl, fees, exitReason: String
    /// Absent for a manual trade.
    var botId: String?
    var openedAt, closedAt: UnixMillis
    var openedAtNs, closedAtNs: UnixNanosText
    init(_ t: PB.Trade) {
        (id, symbol, side) = (t.id, t.symbol, t.side == .buy ? "long" : "short")
        (quantity, entryPrice, exitPrice) = (decimalText(t.quantity), decimalText(t.entryPrice), decimalText(t.exitPrice))
        (realizedPnl, fees, botId, exitReason) = (decimalText(t.realizedPnl), decimalText(t.fees), t.botId.isEmpty ? nil : t.botId, t.exitReason)
        (openedAt, closedAt) = (UnixMillis(nanoseconds: t.openedAtNs), UnixMillis(nanoseconds: t.closedAtNs))
        (openedAtNs, closedAtNs) = (UnixNanosText(nanoseconds: t.openedAtNs), UnixNanosText(nanoseconds: t.closedAtNs))
    }
}

/// Decimal text from clients, checked against the pattern the OpenAPI document gives
/// (`BodyFields.positiveDecimal`, or `BodyFields.decimal` where zero is allowed), so the document
/// and the API agree on every string.
enum Money {
    static func parse(_ text: String, field: String, positive: Bool = true) throws -> FixedDecimal {
        let pattern = positive ? BodyFields.positiveDecimal : BodyFields.decimal
        guard text.range(of: pattern, options: .regularExpression) != nil, let value = try? FixedDecimal(parsing: text) else {
            let what = positive ? "a decimal number above zero" : "a decimal number of zero or more"
            throw APIError(.badRequest, "request.invalid_field", "\(field) \"\(text.prefix(40))\" is not \(what), with at most 10 whole digits and 8 decimals (e.g. \"0.5\")")
        }
        return value
    }
}

struct AuditRecordView: Encodable {
    var seq: Int64
    var at: UnixMillis
    var actor, action, target, outcome, requestId, detail, hash: String
    init(_ e: PB.AuditRecord) {
        (seq, at, actor, action, target, outcome, requestId, detail, hash) =
            (e.seq, UnixMillis(nanoseconds: e.atNs), e.actor, e.action, e.target, e.outcome, e.requestId, e.detail, e.hash)
    }
}

struct AuditPageView: Encodable {
    var service: String
    var entries: [AuditRecordView]
    /// Pass as `before` for the next page; absent on the last.
    var nextBefore: Int64?
    init(service: String, _ page: PB.AuditPage) {
        self.service = service
        entries = page.entries.map(AuditRecordView.init)
        nextBefore = page.nextBeforeSeq == 0 ? nil : page.nextBeforeSeq
    }
}
