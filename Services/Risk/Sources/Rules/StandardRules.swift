import TradingCore

/// The kill switch refuses every order while engaged, reducing ones included.
struct KillSwitchRule: RiskRule {
    let name = "risk.kill_switch"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        guard c.killSwitch.engaged else { return nil }
        return "the kill switch is engaged" + (c.killSwitch.reason.isEmpty ? "" : ": \(c.killSwitch.reason)")
            + (c.killSwitch.changedBy.isEmpty ? "" : " (by \(c.killSwitch.changedBy))")
    }
}

struct MaxOrderNotionalRule: RiskRule {
    let name = "risk.max_order_notional"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.maxOrderNotional, notional = try c.orderNotional
        guard limit > .zero, notional > limit, !(try c.reduces) else { return nil }
        return "the order's notional \(notional) is over the limit \(limit) per order"
    }
}

struct MaxPositionNotionalRule: RiskRule {
    let name = "risk.max_position_notional"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.maxPositionNotional
        guard limit > .zero, !(try c.reduces) else { return nil }
        let after = try (try c.positionAfter.magnitude) * c.price
        guard after > limit else { return nil }
        return "the \(c.symbol) position would reach \(after) notional, over the limit \(limit)"
    }
}

struct MaxOpenPositionsRule: RiskRule {
    let name = "risk.max_open_positions"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.maxOpenPositions
        guard limit > 0, c.positionBefore.isZero, c.openSymbols.count >= limit else { return nil }
        return "the account already holds \(c.openSymbols.count) positions, the most allowed (\(limit))"
    }
}

struct DailyLossRule: RiskRule {
    let name = "risk.daily_loss_limit"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.dailyLossLimit
        guard limit > .zero, !(try c.reduces), c.pnlToday.isNegative, try c.pnlToday.magnitude >= limit else { return nil }
        return "today's loss \(try c.pnlToday.magnitude) has reached the daily limit \(limit); only orders that reduce a position pass until 00:00 UTC"
    }
}

struct DrawdownRule: RiskRule {
    let name = "risk.max_drawdown"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.maxDrawdown
        guard limit > 0, c.peakEquity > .zero, !(try c.reduces) else { return nil }
        let drawdown = 1 - c.equity.doubleValue / c.peakEquity.doubleValue
        guard drawdown >= limit else { return nil }
        return "equity \(c.equity) is \(Self.percent(drawdown)) below its peak \(c.peakEquity), at or past the limit \(Self.percent(limit)); only reducing orders pass"
    }

    static func percent(_ x: Double) -> String { "\((x * 10_000).rounded() / 100) %" }
}

struct LeverageRule: RiskRule {
    let name = "risk.max_leverage"
    func refusal(_ c: CheckContext) throws(ArithmeticError) -> String? {
        let limit = c.limits.maxLeverage
        guard limit > 0, !(try c.reduces) else { return nil }
        guard c.equity > .zero else { return "the account's equity is \(c.equity); no exposure can be added" }
        // Gross after: the symbol's old exposure is replaced by its new one.
        let before = try (try c.positionBefore.magnitude) * c.price, after = try (try c.positionAfter.magnitude) * c.price
        let gross = try (try c.grossNotional - before) + after
        let leverage = gross.doubleValue / c.equity.doubleValue
        guard leverage > limit + 1e-12 else { return nil }
        return "gross exposure would be \(gross), \((leverage * 100).rounded() / 100)× equity, over the limit \(limit)×"
    }
}
