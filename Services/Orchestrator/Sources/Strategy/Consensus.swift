import Contract
import Wire

/// The weighted vote of a strategy's agents on one bar.
///
/// score = (Σ buy w·c − Σ sell w·c) / (Σ buy/sell w + Σ hold w·c): an agent that abstains (a hold
/// at confidence 0, e.g. still warming up) does not count; a confident hold (volatility's "too
/// volatile") dilutes the others. |score| ≥ threshold is a buy or sell with confidence |score|.
struct Consensus: Sendable, Hashable {
    let opinions: [PB.AgentOpinion]
    let action: PB.Action
    let confidence: Double
    let reasoning: String

    init(opinions: [PB.AgentOpinion], threshold: Double) {
        var net = 0.0, counted = 0.0
        for o in opinions {
            switch o.action {
            case .buy: net += o.weight * o.confidence; counted += o.weight
            case .sell, .close: net -= o.weight * o.confidence; counted += o.weight
            default: counted += o.weight * o.confidence
            }
        }
        let score = counted > 0 ? net / counted : 0
        self.opinions = opinions
        if score >= threshold {
            action = .buy
        } else if score <= -threshold {
            action = .sell
        } else {
            action = .hold
        }
        confidence = abs(score)
        let votes = opinions.map { "\($0.agent) \($0.action.word) \($0.confidence.formatted4)×\($0.weight.formatted4)" }.joined(separator: ", ")
        let verdict = action == .hold ? "hold: |score| \(abs(score).formatted4) below \(threshold.formatted4)"
            : "\(action.word): score \(score.formatted4) past ±\(threshold.formatted4)"
        reasoning = "\(verdict) (\(votes))"
    }
}

extension PB.Action {
    /// buy, sell, hold, close.
    var word: String {
        switch self {
        case .buy: "buy"
        case .sell: "sell"
        case .close: "close"
        default: "hold"
        }
    }
}
