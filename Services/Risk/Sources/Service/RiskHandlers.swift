import Bus
import Contract
import Foundation
import Logging
import RPC
import ServiceKit
import Store
import TradingCore
import Wire

/// The `Risk` RPC service.
struct RiskHandlers: RiskService {
    let store: Store
    let bus: Bus?
    let peers: Peers
    let settings: RiskSettings
    let alerts: Broadcaster<PB.RiskAlert>
    let audit: AuditTrail
    let logger: Logger
    var rules: [any RiskRule] { RuleRegistry.standard }

    // MARK: Checks

    func checkOrder(_ request: PB.CheckOrderRequest, context: ServerCallContext) async throws -> PB.CheckOrderResponse {
        guard let intent = request.intent else { throw RiskError(.invalidArgument, "intent is missing") }
        return try await check(intent)
    }

    /// Sizes (when asked), checks, and submits what passes to execution; a retried client order id
    /// returns the order it made the first time, without a second check.
    func placeOrder(_ request: PB.PlaceOrderRequest, context: ServerCallContext) async throws -> PB.PlaceOrderResponse {
        guard var order = request.order else { throw RiskError(.invalidArgument, "order is missing") }
        let execution = try peers.requireExecution()
        let clientId = order.clientOrderId.trimmingCharacters(in: .whitespaces)
        if !clientId.isEmpty, let first = try? await execution.getOrder(PB.GetOrderRequest(accountId: order.accountId, key: .clientOrderId(clientId))) {
            return PB.PlaceOrderResponse(check: PB.CheckOrderResponse(approved: true, approvedQuantity: first.quantity), order: first)
        }
        var explanation = ""
        if FixedDecimal(wire: order.quantity).isZero {
            guard var sizing = request.sizing else {
                throw RiskError(.invalidArgument, "order.quantity is missing; give one, or sizing (fixed_fraction, kelly or atr) to have it sized")
            }
            sizing.accountId = order.accountId
            sizing.symbol = order.symbol
            sizing.side = order.side
            let sized = try await size(sizing)
            guard FixedDecimal(wire: sized.quantity) > .zero else {
                throw RiskError(.invalidArgument, "sizing gave no tradable quantity: \(sized.explanation)")
            }
            order.quantity = sized.quantity
            explanation = sized.explanation
        }
        let reference = order.type == .limit ? order.limitPrice : order.type == .stop ? order.stopPrice : nil
        let check = try await check(PB.OrderIntent(
            accountId: order.accountId, botId: order.botId, symbol: order.symbol, side: order.side, quantity: order.quantity, price: reference,
            clientOrderId: clientId))
        let what = "\(order.side == .buy ? "buy" : "sell") \(FixedDecimal(wire: order.quantity)) \(order.symbol)"
        guard check.approved else {
            await audit.record(AuditEvent(
                "risk.order", actor: order.botId.isEmpty ? context.peerName : "bot:\(order.botId)", target: order.accountId, outcome: "refused",
                detail: "\(what): \(check.outcome?.reason ?? "") \(check.outcome?.message ?? "")"))
            return PB.PlaceOrderResponse(check: check, sizing: explanation)
        }
        let placed = try await peers.relay("execution", .executionUnavailable) { try await execution.submitOrder(order) }
        await audit.record(AuditEvent(
            "risk.order", actor: order.botId.isEmpty ? context.peerName : "bot:\(order.botId)", target: order.accountId, outcome: "approved",
            detail: "\(what) → order \(placed.id)"))
        return PB.PlaceOrderResponse(check: check, order: placed, sizing: explanation)
    }

    /// Every rule over the intent; the first refusal is the outcome (and an alert).
    private func check(_ intent: PB.OrderIntent) async throws -> PB.CheckOrderResponse {
        guard let side = Side(wire: intent.side) else { throw RiskError(.invalidArgument, "intent.side is missing: buy or sell") }
        let quantity = FixedDecimal(wire: intent.quantity)
        guard quantity > .zero else { throw RiskError(.invalidArgument, "intent.quantity must be positive (got \(quantity))") }
        guard !intent.accountId.isEmpty else { throw RiskError(.invalidArgument, "intent.account_id is missing") }
        let symbol = try await peers.instrument(intent.symbol).symbol
        let limits = try await limits(for: intent.accountId)
        let state = try await peers.accountState(intent.accountId, limits: limits)
        let price = FixedDecimal(wire: intent.price) > .zero ? FixedDecimal(wire: intent.price) : try await peers.lastPrice(symbol)
        let killSwitch = try await RiskTables.killSwitch(store)
        let context = try Peers.exact { () throws(ArithmeticError) in
            var gross = FixedDecimal.zero
            for p in state.positions { gross = try gross + (try (try FixedDecimal(wire: p.quantity).magnitude) * FixedDecimal(wire: p.marketPrice)) }
            return CheckContext(
                symbol: symbol, side: side, quantity: quantity, price: price,
                positionBefore: FixedDecimal(wire: state.positions.first { $0.symbol == symbol }?.quantity),
                openSymbols: Set(state.positions.map(\.symbol)), grossNotional: gross, equity: FixedDecimal(wire: state.account.equity),
                pnlToday: state.pnlToday, peakEquity: state.peakEquity, limits: limits, killSwitch: killSwitch)
        }
        var results: [PB.RuleResult] = []
        for rule in rules {
            let refusal = try Peers.exact { () throws(ArithmeticError) in try rule.refusal(context) }
            results.append(PB.RuleResult(rule: rule.name, passed: refusal == nil, message: refusal ?? ""))
        }
        guard let refused = results.first(where: { !$0.passed }) else {
            return PB.CheckOrderResponse(approved: true, rules: results, approvedQuantity: quantity.wire)
        }
        let message = "\(side.rawValue) \(quantity) \(symbol) refused: \(refused.message)"
        try await raise(PB.RiskAlert(accountId: intent.accountId, severity: .warning, rule: refused.rule, message: message))
        return PB.CheckOrderResponse(
            approved: false, outcome: PB.Status(code: .failedPrecondition, message: "\(refused.rule): \(refused.message)"), rules: results,
            approvedQuantity: FixedDecimal.zero.wire)
    }

    // MARK: Sizing

    func sizePosition(_ request: PB.SizePositionRequest, context: ServerCallContext) async throws -> PB.SizePositionResponse {
        try await size(request)
    }

    /// The model's quantity, rounded down to the lot and capped by the position- and order-notional limits.
    private func size(_ request: PB.SizePositionRequest) async throws -> PB.SizePositionResponse {
        let name = request.model.isEmpty ? "fixed_fraction" : request.model
        guard let model = SizingRegistry.standard[name] else {
            throw RiskError(.invalidArgument, "model \"\(name.prefix(40))\" is unknown; use \(SizingRegistry.standard.keys.sorted().joined(separator: ", "))")
        }
        let instrument = try await peers.instrument(request.symbol)
        let price = FixedDecimal(wire: request.price) > .zero ? FixedDecimal(wire: request.price) : try await peers.lastPrice(instrument.symbol)
        let limits = try await limits(for: request.accountId)
        // Equity only: with every limit off, the day's trades and the equity history are not read.
        let account = try await peers.accountState(request.accountId, limits: .off).account
        let equity = FixedDecimal(wire: account.equity).doubleValue
        var (raw, explanation) = try model.quantity(request, equity: equity, price: price.doubleValue)
        // The smaller of the position and order limits: a size the checks would refuse helps nobody.
        for (limit, name) in [(limits.maxPositionNotional, "position"), (limits.maxOrderNotional, "order")]
        where limit > .zero && raw * price.doubleValue > limit.doubleValue {
            raw = limit.doubleValue / price.doubleValue
            explanation += "; capped at the \(name) limit \(limit)"
        }
        let lot = FixedDecimal(wire: instrument.lotSize)
        let quantity = try Peers.exact { () throws(ArithmeticError) in
            let q = try FixedDecimal(approximating: max(0, raw.isFinite ? raw : 0))
            return lot > .zero ? try q.rounded(toMultipleOf: lot, rule: .down) : q
        }
        let notional = try Peers.exact { () throws(ArithmeticError) in try quantity * price }
        return PB.SizePositionResponse(quantity: quantity.wire, notional: notional.wire, explanation: explanation + "; \(quantity) \(instrument.symbol)")
    }

    // MARK: Limits and exposure

    func getLimits(_ request: PB.GetLimitsRequest, context: ServerCallContext) async throws -> PB.RiskLimits {
        let account = Self.limitsKey(request.accountId)
        return try await limits(for: account).wire(account: account)
    }

    func setLimits(_ request: PB.RiskLimits, context: ServerCallContext) async throws -> PB.RiskLimits {
        let account = Self.limitsKey(request.accountId)
        let limits = try Limits(wire: request)
        try await RiskTables.setLimits(account: account, limits, at: WallClock.nowNs, store)
        await audit.record(AuditEvent("risk.limits_changed", actor: context.peerName, target: account))
        return limits.wire(account: account)
    }

    func getExposure(_ request: PB.GetExposureRequest, context: ServerCallContext) async throws -> PB.Exposure {
        let limits = try await limits(for: request.accountId)
        let state = try await peers.accountState(request.accountId, limits: limits)
        return try Peers.exact { () throws(ArithmeticError) in
            var gross = FixedDecimal.zero, net = FixedDecimal.zero
            var symbols: [PB.SymbolExposure] = []
            for p in state.positions {
                let notional = try FixedDecimal(wire: p.quantity) * FixedDecimal(wire: p.marketPrice)
                gross = try gross + (try notional.magnitude)
                net = try net + notional
                symbols.append(PB.SymbolExposure(symbol: p.symbol, quantity: p.quantity, notional: notional.wire))
            }
            let equity = FixedDecimal(wire: state.account.equity)
            return PB.Exposure(
                accountId: state.account.id, grossNotional: gross.wire, netNotional: net.wire, symbols: symbols,
                realizedPnlToday: (try state.pnlToday - FixedDecimal(wire: state.account.unrealizedPnl)).wire,
                drawdown: state.peakEquity > .zero ? max(0, 1 - equity.doubleValue / state.peakEquity.doubleValue) : 0)
        }
    }

    private func limits(for account: String) async throws -> Limits {
        try await RiskTables.limits(account: account, store) ?? settings.defaults
    }

    /// `*` (the defaults) for an empty account id.
    private static func limitsKey(_ account: String) -> String {
        let trimmed = account.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "*" : trimmed
    }

    // MARK: Kill switch and alerts

    func getKillSwitch(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.KillSwitchState {
        try await RiskTables.killSwitch(store).wire
    }

    func setKillSwitch(_ request: PB.SetKillSwitchRequest, context: ServerCallContext) async throws -> PB.KillSwitchState {
        let changedBy = request.changedBy.trimmingCharacters(in: .whitespaces)
        guard !changedBy.isEmpty else { throw RiskError(.invalidArgument, "changed_by is missing: say who turns the switch") }
        let state = KillSwitchRecord(engaged: request.engaged, reason: String(request.reason.prefix(500)), changedBy: changedBy, changedAtNs: WallClock.nowNs)
        try await RiskTables.setKillSwitch(state, store)
        await audit.record(AuditEvent(
            "risk.kill_switch", actor: changedBy, outcome: request.engaged ? "engaged" : "released", detail: "\(state.reason) (via \(context.peerName))"))
        try await raise(PB.RiskAlert(
            severity: request.engaged ? .critical : .info, rule: KillSwitchRule().name,
            message: request.engaged ? "kill switch engaged by \(changedBy): \(state.reason)" : "kill switch released by \(changedBy)"))
        logger.notice("kill switch \(request.engaged ? "engaged" : "released")", metadata: ["risk.by": "\(changedBy)", "risk.reason": "\(state.reason)"])
        return state.wire
    }

    /// Every alert from now on, until the caller cancels.
    func streamAlerts(_ request: PB.Empty, context: ServerCallContext, writer: StreamWriter<PB.RiskAlert>) async throws {
        for await alert in alerts.subscribe(accepts: { _ in true }) { try await writer.write(alert) }
    }

    /// Stores, publishes (`tw.risk.alert`) and streams an alert.
    private func raise(_ alert: PB.RiskAlert) async throws {
        var alert = alert
        alert.id = UUID().uuidString.lowercased()
        alert.tsNs = WallClock.nowNs
        try await RiskTables.insertAlert(alert, store)
        if let bus { _ = try? bus.publish(BusChannel.riskAlert, alert) }
        alerts.publish([alert])
    }

}
