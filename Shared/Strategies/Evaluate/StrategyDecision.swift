import TradingCore

/// What a strategy decides at one bar's close, given its rules' values and its position: close the
/// position (and why), open one (or add to it, within the pyramiding limit), both (a reversal),
/// or nothing. Backtests and live bots take the same decision from the same program values.
public struct StrategyDecision: Sendable, Hashable, CustomStringConvertible {
    /// Close the whole open position, for this reason.
    public var exit: ExitReason?
    /// Open or add: `.buy` goes long, `.sell` goes short.
    public var entry: Side?

    public init(exit: ExitReason? = nil, entry: Side? = nil) {
        self.exit = exit
        self.entry = entry
    }

    public var isNone: Bool { exit == nil && entry == nil }

    public var description: String {
        [exit.map { "exit(\($0.rawValue))" }, entry.map { $0 == .buy ? "enter_long" : "enter_short" }].compactMap { $0 }.joined(separator: "+")
    }
}

extension StrategyPlan {
    /// The decision at this bar's close from `program`'s current values. `entries` is how many
    /// entries the open position has had (for pyramiding).
    public func decide(_ program: SignalProgram, position: PositionView, entries: Int) -> StrategyDecision {
        decide({ program.value($0) }, position: position, entries: entries)
    }

    /// The decision from slot values read through `value` (the batch driver reads its stepper's row).
    @inline(__always)
    func decide(_ value: (Int) -> Double, position: PositionView, entries: Int) -> StrategyDecision {
        func fires(_ slot: Int?) -> Bool { slot.map { value($0) == 1 } ?? false }
        var decision = StrategyDecision()
        if position.quantity > 0 {
            if fires(exitLong) {
                decision.exit = .signal
            } else if let maxBars, position.barsInTrade >= maxBars {
                decision.exit = .maxBars
            }
        } else if position.quantity < 0 {
            if fires(exitShort) {
                decision.exit = .signal
            } else if let maxBars, position.barsInTrade >= maxBars {
                decision.exit = .maxBars
            }
        }
        let long = fires(entryLong), short = fires(entryShort)
        // Both directions at once is no signal: neither is taken.
        guard long != short else { return decision }
        let side: Side = long ? .buy : .sell
        let held = position.quantity == 0 ? nil : (position.quantity > 0 ? Side.buy : Side.sell)
        switch held {
        case nil:
            decision.entry = side
        case side:
            if decision.exit == nil, entries < pyramiding { decision.entry = side }
        default:
            if decision.exit == nil { decision.exit = .reversal }
            decision.entry = side
        }
        return decision
    }
}
