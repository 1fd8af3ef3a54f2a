import Contract
import Wire

// One example of each response view, for the OpenAPI document's schemas (`ResponseSchema`). Made
// from empty wire messages where a view has such an initializer: the schema reads every field's
// type from the view's declaration, not the example's values.

extension UserView: ResponseExample {
    static var example: Self { .init(UserRecord(id: "", email: "", passwordHash: "", role: .viewer, accountId: "", disabled: false, createdAtNs: 0)) }
}

extension SessionView: ResponseExample {
    static var example: Self { .init(user: .example, accessToken: "", refreshToken: "", expiresIn: 0) }
}

extension AssetView: ResponseExample { static var example: Self { .init(PB.Instrument(), nil) } }
extension CandleView: ResponseExample { static var example: Self { .init(PB.Candle()) } }
extension HistoryView: ResponseExample { static var example: Self { .init(symbol: "", timeframe: "", candles: []) } }
extension StrategyView: ResponseExample { static var example: Self { .init(nil) } }
extension BotView: ResponseExample { static var example: Self { .init(PB.Bot()) } }
extension OpinionView: ResponseExample { static var example: Self { .init(agent: "", action: "", reasoning: "", confidence: 0, weight: 0) } }
extension DecisionView: ResponseExample { static var example: Self { .init(PB.Decision()) } }
extension ChatView: ResponseExample {
    static var example: Self { .init(conversationId: "", reply: "", proposedStrategy: nil, clarifyingQuestions: [], createdBot: nil, awaitingConfirmation: nil) }
}
extension OrderView: ResponseExample { static var example: Self { .init(PB.Order()) } }
extension PositionView: ResponseExample { static var example: Self { .init(PB.Position()) } }
extension TradeView: ResponseExample { static var example: Self { .init(PB.Trade()) } }
extension PortfolioView: ResponseExample { static var example: Self { .init(account: PB.Account(), positions: []) } }

extension MetricsView: ResponseExample {
    static var example: Self { .init(totalPnl: "", realizedPnl: "", unrealizedPnl: "", tradeCount: 0, winRate: 0, sharpe: 0, maxDrawdown: 0, equitySamples: 0) }
}

extension AIUsageView: ResponseExample { static var example: Self { .init(PB.AIUsage(rows: [PB.AIUsageRow(userId: "u")])) } }
extension DecisionRecordView: ResponseExample {
    static var example: Self { .init(PB.DecisionRecord(decision: PB.Decision(), llmCall: PB.LLMCall(lateResponse: "x"))) }
}
extension DecisionReplayView: ResponseExample {
    static var example: Self { .init(PB.DecisionReplay(agents: [PB.AgentReplay(stored: PB.AgentOpinion(), replayed: PB.AgentOpinion())])) }
}
extension KillSwitchView: ResponseExample { static var example: Self { .init(PB.KillSwitchState()) } }
extension AuditRecordView: ResponseExample { static var example: Self { .init(PB.AuditRecord()) } }
extension AuditPageView: ResponseExample { static var example: Self { .init(service: "", PB.AuditPage()) } }
extension BacktestMetricsView: ResponseExample { static var example: Self { .init() } }
extension JobView: ResponseExample { static var example: Self { .init(PB.Job()) } }
extension JobsPage: ResponseExample { static var example: Self { .init(jobs: [], nextCursor: "", hasMore: false) } }
extension BacktestTradeView: ResponseExample { static var example: Self { .init(PB.BacktestTrade()) } }
extension TradesPage: ResponseExample { static var example: Self { .init(trades: [], openTrade: nil, nextCursor: "", hasMore: false) } }
extension TemplateView: ResponseExample { static var example: Self { .init(PB.StrategyInfo()) } }
extension AgentView: ResponseExample { static var example: Self { .init(name: "", kind: "", description: "", defaultWeight: 0) } }
extension SavedStrategyView: ResponseExample { static var example: Self { .init(PB.SavedStrategy()) } }
extension SavedStrategiesPage: ResponseExample { static var example: Self { .init(strategies: [], nextCursor: "", hasMore: false) } }

extension GatewayAPI.KeyView: ResponseExample {
    static var example: Self { .init(id: "", label: "", scopes: [], revoked: false, createdAt: UnixMillis(nanoseconds: 0), key: nil) }
}

extension GatewayAPI.TokenView: ResponseExample { static var example: Self { .init(token: "", expiresAt: UnixMillis(nanoseconds: 0)) } }

extension BotStatusEvent: ResponseExample {
    static var example: Self { .init(botId: "", state: "", message: "", timestamp: UnixMillis(nanoseconds: 0), lastDecision: nil) }
}

extension EquityCurveView: ResponseExample { static var example: Self { .init(equity: []) } }
extension EquityCurveView.Point: ResponseExample { static var example: Self { .init(time: UnixMillis(nanoseconds: 0), equity: "") } }

extension MarketUpdate: ResponseExample {
    static var example: Self {
        .init(symbol: "", canonicalSymbol: "", price: 0, change: 0, timestamp: UnixMillis(nanoseconds: 0), timestampNs: UnixNanosText(nanoseconds: 0))
    }
}

extension CandleUpdate: ResponseExample { static var example: Self { .init(symbol: "", canonicalSymbol: "", timeframe: "", candle: .example) } }

extension IndicatorUpdate: ResponseExample {
    static var example: Self { .init(symbol: "", canonicalSymbol: "", timeframe: "", openTime: UnixMillis(nanoseconds: 0), close: 0, values: [:]) }
}
