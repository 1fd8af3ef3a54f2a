import Contract
import Strategies
import TradingCore
import Wire

/// A strategy decision in the words and fields a `PB.Decision` carries: the order side it leads to,
/// a confidence, the reasoning and each consensus agent's vote.
struct DecisionExplanation {
    /// `.buy` or `.sell`: the side of the order the decision sends; `.hold` for none.
    var action: PB.Action
    var confidence: Double
    var reasoning: String
    var opinions: [PB.AgentOpinion]

    /// Explains `decision`, taken on `live`'s latest bar with the position `position` and the
    /// external agents' `votes`.
    init(_ decision: StrategyDecision, _ live: LiveStrategy, position: PositionView, votes external: AgentVotes = .none) {
        let votes = live.consensusVotes(external, position: position)
        let features = live.consensusFeatures()
        opinions = votes.enumerated().flatMap { c, vote in
            vote.opinions.enumerated().map { k, pair in
                PB.AgentOpinion(
                    agent: pair.member.agent.rawValue, action: pair.opinion.action.wire, confidence: pair.opinion.confidence, weight: pair.member.weight,
                    reasoning: pair.opinion.reasoning, features: features[c][k])
            }
        }
        var parts: [String] = []
        if let exit = decision.exit {
            parts.append("exit \(position.quantity > 0 ? "long" : "short") (\(exit.rawValue))")
        }
        if let entry = decision.entry {
            parts.append(entry == .buy ? "enter long: entry_long held" : "enter short: entry_short held")
        }
        if parts.isEmpty {
            parts.append(live.isWarm ? "hold: no rule fired" : "hold: warming up (\(live.bars) of \(live.plan.warmup + 1) bars)")
        }
        if let vote = votes.first {
            let shown = vote.opinions.map { "\($0.member.agent.rawValue) \($0.opinion.action.rawValue) \($0.opinion.confidence.shown)×\($0.member.weight.shown)" }
            parts.append("consensus score \(vote.score.shown) (\(shown.joined(separator: ", ")))")
            for veto in vote.vetoes {
                let reason = vote.opinions.first { $0.member.agent == veto.agent }?.opinion.reasoning ?? ""
                let blocked = veto.blocksLong && veto.blocksShort ? "new entries" : (veto.blocksLong ? "buying" : "selling short")
                parts.append("vetoed by \(veto.agent.rawValue) (score \(veto.score.shown) → \(vote.score.shown), blocks \(blocked)): \(reason)")
            }
        }
        reasoning = parts.joined(separator: "; ")
        if let entry = decision.entry {
            action = entry == .buy ? .buy : .sell
        } else if decision.exit != nil {
            action = position.quantity > 0 ? .sell : .buy
        } else {
            action = .hold
        }
        confidence = votes.first.map { abs($0.score) } ?? (action == .hold ? 0 : 1)
    }
}

extension AgentOpinion.Action {
    var wire: PB.Action {
        switch self {
        case .buy: .buy
        case .sell: .sell
        case .hold: .hold
        }
    }
}
