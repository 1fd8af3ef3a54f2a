import Indicators

/// The streaming driver of a compiled strategy, for live bots: each closed bar updates the
/// plan's indicators (O(1) each) and steps the same signal program the backtester steps, then takes
/// the same decision. A value type: a copy keeps the whole state.
public struct LiveStrategy: Sendable {
    public let plan: StrategyPlan
    private(set) var program: SignalProgram
    private var engines: [any IndicatorEngine]
    private var scratch: [Double]
    /// Bars seen.
    public private(set) var bars = 0

    public init(plan: StrategyPlan) {
        self.plan = plan
        program = plan.program
        engines = plan.indicators.map { $0.indicator.makeEngine() }
        scratch = [Double](repeating: .nan, count: max(1, plan.indicators.map(\.indicator.definition.width).max() ?? 1))
    }

    /// Whether the rules can decide yet (the warm-up is over).
    public var isWarm: Bool { bars > plan.warmup }

    /// Feeds one closed bar (opened at `timeNs`, Unix nanoseconds) and returns the decision at its
    /// close for `position` (with `entries` entries so far), external agents voting `votes`. The
    /// last bar of a backtest decides nothing; a live bot always has a next bar.
    public mutating func next(_ bar: PriceBar, timeNs: Int64, position: PositionView, entries: Int, votes: AgentVotes = .none) -> StrategyDecision {
        let inputs = plan.indicators
        let external = program.external
        program.step(
            inputs: { v in
                SignalProgram.writeBar(bar, timeNs: timeNs, into: v)
                SignalProgram.writeVotes(votes, external, into: v)
                scratch.withUnsafeMutableBufferPointer { row in
                    for i in 0..<engines.count {
                        let input = inputs[i]
                        let fed = input.source == .close ? bar : PriceBar(value: input.source.value(of: bar))
                        let width = input.indicator.definition.width
                        if !engines[i].update(fed, into: row) {
                            for k in 0..<width { row[k] = .nan }
                        }
                        for k in 0..<width { v[input.slot + k] = row[k] }
                    }
                }
            }, position: position)
        bars += 1
        return plan.decide(program, position: position, entries: entries)
    }

    /// The protective levels an entry at `price` decided on the latest bar gets, for the order
    /// sent with it: stop loss and take profit (nil where the strategy has none or they are not known).
    public func exitLevels(entry price: Double, long: Bool) -> (stopLoss: Double?, takeProfit: Double?) {
        let context = EntryContext(program, plan)
        func level(_ d: StrategyPlan.Distance?, fixed: Double, atr: Double, towardLoss: Bool) -> Double? {
            let sign: Double = (long == towardLoss) ? -1 : 1
            let v: Double
            switch d {
            case .percent(let pct): v = price * (1 + sign * pct / 100)
            case .atr(let multiple, _): v = price + sign * multiple * atr
            case .points(let points): v = price + sign * points
            case .price: v = fixed
            case .level(_, let side): v = side == nil || (side == .long) == long ? fixed : .nan
            case nil: return nil
            }
            return v.isFinite ? v : nil
        }
        return (
            level(plan.stopLoss, fixed: context.stopLevel, atr: context.stopATR, towardLoss: true),
            level(plan.takeProfit, fixed: context.targetLevel, atr: context.targetATR, towardLoss: false)
        )
    }
}

extension LiveStrategy {
    /// Each consensus signal's agents with their opinions (reasoning included) and its score on
    /// the latest bar, for the decision a bot records.
    public func consensusVotes(_ votes: AgentVotes = .none, position: PositionView = .flat) -> [(
        opinions: [(member: ConsensusProgram.Member, opinion: AgentOpinion)], score: Double, vetoes: [ConsensusProgram.Veto]
    )] {
        program.consensus.map { $0.explain(program, votes: votes, position: position) }
    }

    /// What each consensus member saw on the latest bar (`ConsensusProgram.features`), aligned
    /// with `consensusVotes()`.
    public func consensusFeatures() -> [[[String: Double]]] { program.consensus.map { $0.features(program) } }

    /// Whether an external agent (the LLM, news, macro) votes in this strategy.
    public var asksExternalAgents: Bool { plan.asksExternalAgents }
    /// The external agents it asks.
    public var externalAgents: [TradingAgent] { plan.externalAgents }

    /// Each indicator output's value on the latest bar, by its column label (`ema_12`, `macd_12_26_9.hist`):
    /// the values the strategy computes, as an agent's market context shows them.
    public func indicatorValues() -> [(label: String, value: Double)] {
        plan.indicators.flatMap { input in
            let outputs = input.indicator.definition.outputs
            return outputs.isEmpty
                ? [(input.label, program.value(input.slot))] : outputs.enumerated().map { (input.label + "." + $0.element, program.value(input.slot + $0.offset)) }
        }
    }
}
