import Contract
import Foundation
import LanguageModels
import RPC
import Strategies
import TradingCore
import Wire

/// Re-runs a stored decision's agents on what they saw and says what differs: each rule agent on
/// its stored features (the same code, so the same vote unless the code changed), the llm agent
/// from its stored answer (checked again) or, live, asked again with the stored prompt — a shadow
/// evaluation that acts on nothing; the news and macro agents by their stored votes or, live,
/// asked again about the bar. The score is recomputed with the stored weights.
enum DecisionReplay {
    static func replay(_ record: PB.DecisionRecord, live: Bool, agents: ExternalAgents, user: String) async -> PB.DecisionReplay {
        let decision = record.decision ?? PB.Decision()
        var replay = PB.DecisionReplay(decisionId: decision.id, botId: decision.botId, live: live)
        var stored: [(weight: Double, opinion: AgentOpinion)] = [], replayed: [(weight: Double, opinion: AgentOpinion)] = []
        var differences: [String] = []
        for opinion in decision.opinions {
            let was = AgentOpinion(action: opinion.action.agentAction, confidence: opinion.confidence, reasoning: opinion.reasoning)
            let again: AgentOpinion
            if opinion.agent == TradingAgent.llm.rawValue {
                again = await llm(record.llmCall, live: live, agent: agents.llm, user: user)
            } else if let agent = TradingAgent(rawValue: opinion.agent), agent == .news || agent == .macro {
                // Their inputs (headlines, economic values) are not kept with the decision: the
                // stored vote, or live, the agent asked again about the bar's close.
                if live, let step = Timeframe(wire: decision.timeframe)?.nanoseconds {
                    again = await agents.votes([agent], symbol: decision.symbol, closeNs: decision.candleOpenTimeNs + step)[agent] ?? was
                } else {
                    again = was
                }
            } else if let rule = TradingAgent(rawValue: opinion.agent), let opinion = rule.replay(opinion.features) {
                again = opinion
            } else {
                again = AgentOpinion(action: .hold, confidence: 0, reasoning: "cannot replay: the decision keeps no features for \(opinion.agent)")
            }
            let differs = again.action != was.action || abs(again.confidence - was.confidence) > 1e-9
            if differs {
                differences.append("\(opinion.agent): \(was.action.rawValue) \(short(was.confidence)) then, \(again.action.rawValue) \(short(again.confidence)) now")
            }
            stored.append((opinion.weight, was))
            replayed.append((opinion.weight, again))
            replay.agents.append(PB.AgentReplay(
                agent: opinion.agent, stored: opinion,
                replayed: PB.AgentOpinion(agent: opinion.agent, action: again.action.wire, confidence: again.confidence, weight: opinion.weight, reasoning: again.reasoning),
                differs: differs))
        }
        replay.storedScore = ConsensusProgram.score(stored)
        replay.replayedScore = ConsensusProgram.score(replayed)
        replay.differs = !differences.isEmpty
        replay.summary = differences.isEmpty ? "" : differences.joined(separator: "; ") + "; score \(short(replay.storedScore)) then, \(short(replay.replayedScore)) now"
        return replay
    }

    /// The llm agent's vote again: from the stored answer, or asked live with the stored prompt.
    private static func llm(_ call: PB.LLMCall?, live: Bool, agent: LLMAgent, user: String) async -> AgentOpinion {
        guard let call else { return LLMAgent.abstain("not_recorded", "the decision keeps no LLM call") }
        guard live else {
            guard !call.response.isEmpty else { return LLMAgent.abstain(call.outcome, "no answer was recorded in time") }
            switch LLMAgent.read(try? JSONValue(parsing: call.response)) {
            case .success(let opinion): return opinion
            case .failure(let why): return LLMAgent.abstain("malformed", why.message)
            }
        }
        guard let model = agent.model else { return LLMAgent.abstain("not_configured", "no language model is configured (ai.provider)") }
        var request = LLMAgent.request(call.prompt)
        request.purpose = "replay"
        do {
            let answer = try await model.ask(request, user: user)
            switch LLMAgent.read(answer.response.structured) {
            case .success(let opinion): return opinion
            case .failure(let why): return LLMAgent.abstain("malformed", why.message)
            }
        } catch {
            return LLMAgent.abstain(String(error.code.rawValue.dropFirst(3)), error.message)
        }
    }

    /// Four decimals at most, no trailing `.0`.
    static func short(_ x: Double) -> String {
        let s = x.shown
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
}

extension PB.Action {
    var agentAction: AgentOpinion.Action {
        switch self {
        case .buy: .buy
        case .sell: .sell
        default: .hold
        }
    }
}
