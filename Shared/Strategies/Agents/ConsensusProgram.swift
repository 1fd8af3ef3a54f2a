/// A compiled `consensus` signal: its agents with weights, parameters and the program slots of the
/// indicator outputs each reads.
///
/// score = (Σ buy w·c − Σ sell w·c) / (Σ buy/sell w + Σ hold w·c), in [−1, 1]: an agent that
/// abstains (a hold at confidence 0, e.g. still warming up) does not count; a confident hold (the
/// volatility agent's "too volatile") dilutes the others. 0 when nobody counts.
///
/// A veto agent at least as sure as its veto confidence blocks new entries it is against: a sell
/// or a hold blocks buying (a positive score becomes 0 while flat or long), a buy or a hold blocks
/// selling short (a negative score becomes 0 while flat or short). A score against the position
/// (an exit) is never blocked.
public struct ConsensusProgram: Sendable, Hashable {
    /// One weighed agent.
    public struct Member: Sendable, Hashable {
        public let agent: TradingAgent
        /// Above 0 (an agent weighed 0 is left out).
        public let weight: Double
        /// Program slots of its inputs, in `agent.inputs` order.
        let slots: [Int]
        /// The confidence at which it vetoes; nil for an agent that does not.
        public let veto: Double?
    }

    /// Who vetoed what on a bar.
    public struct Veto: Sendable, Hashable {
        public var agent: TradingAgent
        /// Whether it blocks buying, and selling short.
        public var blocksLong: Bool
        public var blocksShort: Bool
        /// The score before the veto.
        public var score: Double
    }

    /// In the agent catalogue's order.
    public let members: [Member]
    /// The agent parameters every member reads.
    public let parameters: AgentParameters

    /// The score from the program's current slot values, vetoes applied for `position`.
    func score(_ v: UnsafeMutableBufferPointer<Double>, position: PositionView) -> Double {
        var net = 0.0, counted = 0.0
        var blocksLong = false, blocksShort = false
        var inputs = [Double](repeating: .nan, count: 3)
        for m in members {
            for (k, slot) in m.slots.enumerated() { inputs[k] = v[slot] }
            let o = m.agent.opinion(inputs, close: v[3], parameters, explain: false)
            Self.tally(o, weight: m.weight, &net, &counted)
            if let veto = m.veto, o.confidence >= veto {
                blocksLong = blocksLong || o.action != .buy
                blocksShort = blocksShort || o.action != .sell
            }
        }
        return Self.vetoed(counted > 0 ? net / counted : 0, blocksLong: blocksLong, blocksShort: blocksShort, position: position)
    }

    /// `score` with the blocked entries taken out.
    static func vetoed(_ score: Double, blocksLong: Bool, blocksShort: Bool, position: PositionView) -> Double {
        if score > 0, blocksLong, position.quantity >= 0 { return 0 }
        if score < 0, blocksShort, position.quantity <= 0 { return 0 }
        return score
    }

    /// Every member's opinion, with reasoning, and the score, from `program`'s current values; an
    /// external agent's reasoning is its vote's in `votes`.
    public func explain(_ program: SignalProgram, votes: AgentVotes = .none, position: PositionView = .flat) -> (
        opinions: [(member: Member, opinion: AgentOpinion)], score: Double, vetoes: [Veto]
    ) {
        var net = 0.0, counted = 0.0
        let opinions = members.map { m in
            var o = m.agent.opinion(m.slots.map { program.value($0) }, close: program.value(3), parameters, explain: true)
            if m.agent.isExternal { o.reasoning = votes.opinions[m.agent]?.reasoning ?? o.reasoning }
            Self.tally(o, weight: m.weight, &net, &counted)
            return (m, o)
        }
        let raw = counted > 0 ? net / counted : 0
        var vetoes: [Veto] = []
        for (m, o) in opinions {
            guard let veto = m.veto, o.confidence >= veto else { continue }
            let v = Veto(agent: m.agent, blocksLong: o.action != .buy, blocksShort: o.action != .sell, score: raw)
            // Only the vetoes that changed the score are worth saying.
            if Self.vetoed(raw, blocksLong: v.blocksLong, blocksShort: v.blocksShort, position: position) != raw { vetoes.append(v) }
        }
        let score = Self.vetoed(raw, blocksLong: vetoes.contains { $0.blocksLong }, blocksShort: vetoes.contains { $0.blocksShort }, position: position)
        return (opinions, score, vetoes)
    }

    /// What each member saw on the program's latest bar, in `members` order: a rule agent's inputs
    /// in order (`0.ema_12`, …), the close and its parameters (`p.fast_period`, …); nothing for
    /// an external agent. Enough to re-run its opinion (`TradingAgent.replay`).
    public func features(_ program: SignalProgram) -> [[String: Double]] {
        members.map { m in
            guard !m.agent.isExternal else { return [:] }
            var out: [String: Double] = ["close": program.value(3)]
            for (k, call) in m.agent.inputs(parameters).enumerated() { out["\(k).\(call.label)"] = program.value(m.slots[k]) }
            for (name, value) in parameters.values { out["p.\(name)"] = value }
            return out
        }
    }

    /// The same members reading their slots through `renumber` (the builder's final numbering).
    func renumbered(_ renumber: (Int) -> Int) -> ConsensusProgram {
        ConsensusProgram(members: members.map { Member(agent: $0.agent, weight: $0.weight, slots: $0.slots.map(renumber), veto: $0.veto) }, parameters: parameters)
    }

    /// The score of `opinions` weighed as given (the formula above, no vetoes): what a replay
    /// recomputes from stored votes.
    public static func score(_ opinions: [(weight: Double, opinion: AgentOpinion)]) -> Double {
        var net = 0.0, counted = 0.0
        for (w, o) in opinions { tally(o, weight: w, &net, &counted) }
        return counted > 0 ? net / counted : 0
    }

    private static func tally(_ o: AgentOpinion, weight: Double, _ net: inout Double, _ counted: inout Double) {
        switch o.action {
        case .buy:
            net += weight * o.confidence
            counted += weight
        case .sell:
            net -= weight * o.confidence
            counted += weight
        case .hold: counted += weight * o.confidence
        }
    }
}
