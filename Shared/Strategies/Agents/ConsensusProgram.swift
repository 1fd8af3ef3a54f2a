/// A compiled `consensus` signal: its agents with weights, parameters and the program slots of the
/// indicator outputs each reads.
///
/// score = (Σ buy w·c − Σ sell w·c) / (Σ buy/sell w + Σ hold w·c), in [−1, 1]: an agent that
/// abstains (a hold at confidence 0, e.g. still warming up) does not count; a confident hold (the
/// volatility agent's "too volatile") dilutes the others. 0 when nobody counts.
public struct ConsensusProgram: Sendable, Hashable {
    /// One weighed agent.
    public struct Member: Sendable, Hashable {
        public let agent: TradingAgent
        /// Above 0 (an agent weighed 0 is left out).
        public let weight: Double
        /// Program slots of its inputs, in `agent.inputs` order.
        let slots: [Int]
    }

    /// In the agent catalogue's order.
    public let members: [Member]
    /// The agent parameters every member reads.
    public let parameters: AgentParameters

    /// The score from the program's current slot values.
    func score(_ v: UnsafeMutableBufferPointer<Double>) -> Double {
        var net = 0.0, counted = 0.0
        var inputs = [Double](repeating: .nan, count: 3)
        for m in members {
            for (k, slot) in m.slots.enumerated() { inputs[k] = v[slot] }
            let o = m.agent.opinion(inputs, close: v[3], parameters, explain: false)
            Self.tally(o, weight: m.weight, &net, &counted)
        }
        return counted > 0 ? net / counted : 0
    }

    /// Every member's opinion, with reasoning, and the score, from `program`'s current values; an
    /// external agent's reasoning is its vote's in `votes`.
    public func explain(_ program: SignalProgram, votes: AgentVotes = .none) -> (opinions: [(member: Member, opinion: AgentOpinion)], score: Double) {
        var net = 0.0, counted = 0.0
        let opinions = members.map { m in
            var o = m.agent.opinion(m.slots.map { program.value($0) }, close: program.value(3), parameters, explain: true)
            if m.agent.isExternal { o.reasoning = votes.opinions[m.agent]?.reasoning ?? o.reasoning }
            Self.tally(o, weight: m.weight, &net, &counted)
            return (m, o)
        }
        return (opinions, counted > 0 ? net / counted : 0)
    }

    /// The same members reading their slots through `renumber` (the builder's final numbering).
    func renumbered(_ renumber: (Int) -> Int) -> ConsensusProgram {
        ConsensusProgram(members: members.map { Member(agent: $0.agent, weight: $0.weight, slots: $0.slots.map(renumber)) }, parameters: parameters)
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
