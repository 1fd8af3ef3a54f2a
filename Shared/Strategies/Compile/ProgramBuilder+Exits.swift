import TradingCore

/// Exits and sizing resolved to numbers and slots for one parameter set.
extension ProgramBuilder {
    /// An ATR(period) slot, for ATR stops and sizing.
    mutating func atr(period: Int, at pointer: String) throws(StrategyError) -> Int {
        try indicator(
            IndicatorCall(name: "atr", arguments: [.init(name: "period", value: .literal(Double(period)), pointer: pointer)]), at: pointer)
    }

    mutating func distance(_ d: StrategyDocument.Distance, at pointer: String) throws(StrategyError) -> StrategyPlan.Distance {
        switch d {
        case .percent(let q):
            let v = try quantity(q, at: pointer + "/percent")
            guard v > 0, v < 1000 else { throw StrategyError(.invalidValue, at: pointer + "/percent", "\(v) % is not a distance; give a percent above 0, e.g. 2") }
            return .percent(v)
        case .atr(let m, let p):
            let multiple = try quantity(m, at: pointer + "/atr")
            guard multiple > 0, multiple <= 100 else { throw StrategyError(.invalidValue, at: pointer + "/atr", "the ATR multiple \(multiple) must be above 0 and at most 100") }
            let period = try count(p, at: pointer + "/period", range: 1...100_000)
            return .atr(multiple: multiple, slot: try atr(period: period, at: pointer))
        case .price(let e):
            return .price(slot: try number(e))
        case .points(let q):
            let v = try quantity(q, at: pointer + "/points")
            guard v > 0, v.isFinite else { throw StrategyError(.invalidValue, at: pointer + "/points", "\(v) is not a distance; give a price distance above 0") }
            return .points(v)
        case .level(let e, let side):
            return .level(slot: try number(e), side: side)
        }
    }

    mutating func sizing(_ s: StrategyDocument.Sizing, hasStop: Bool) throws(StrategyError) -> StrategyPlan.Sizing {
        let at = "/sizing"
        let lotValue = s.lot ?? (s.model == .allIn ? 1 : 1e-8)
        var out = StrategyPlan.Sizing(model: s.model, lot: (try? FixedDecimal(approximating: lotValue)) ?? .one)
        func percent(_ q: StrategyDocument.Quantity?) throws(StrategyError) -> Double {
            guard let q else { return 0 }
            let v = try quantity(q, at: at + "/percent")
            guard v > 0, v <= 100 else { throw StrategyError(.invalidValue, at: at + "/percent", "\(v) is not a percent of equity in (0, 100]") }
            return v
        }
        switch s.model {
        case .allIn: break
        case .fixedCash:
            out.amount = try quantity(s.amount!, at: at + "/amount")
            guard out.amount > 0, out.amount < 1e11 else { throw StrategyError(.invalidValue, at: at + "/amount", "the amount must be positive and below 100 billion") }
        case .fixedQuantity:
            out.quantity = try quantity(s.quantity!, at: at + "/quantity")
            guard out.quantity > 0, out.quantity < 1e10 else { throw StrategyError(.invalidValue, at: at + "/quantity", "the quantity must be positive") }
        case .percentEquity:
            out.percent = try percent(s.percent)
        case .riskPercent:
            out.percent = try percent(s.percent)
            guard hasStop else {
                throw StrategyError(.invalidField, at: at + "/model", "risk_percent sizes to the stop loss; add /exits/stop_loss or use percent_equity")
            }
        case .atr:
            out.percent = try percent(s.percent)
            out.atrMultiple = try s.multiple.map { q throws(StrategyError) in try quantity(q, at: at + "/multiple") } ?? 2
            guard out.atrMultiple > 0 else { throw StrategyError(.invalidValue, at: at + "/multiple", "the ATR multiple must be positive") }
            let period = try s.period.map { q throws(StrategyError) in try count(q, at: at + "/period", range: 1...100_000) } ?? 14
            out.atrSlot = try atr(period: period, at: at)
        case .kelly:
            out.kellyFraction = try s.fraction.map { q throws(StrategyError) in try quantity(q, at: at + "/fraction") } ?? 0.5
            guard out.kellyFraction > 0, out.kellyFraction <= 1 else {
                throw StrategyError(.invalidValue, at: at + "/fraction", "the Kelly fraction is in (0, 1]; 0.5 is half Kelly")
            }
            out.kellyMinTrades = try s.minTrades.map { q throws(StrategyError) in try count(q, at: at + "/min_trades", range: 1...10_000) } ?? 20
            out.percent = s.percent == nil ? 2 : try percent(s.percent)
        }
        return out
    }
}
