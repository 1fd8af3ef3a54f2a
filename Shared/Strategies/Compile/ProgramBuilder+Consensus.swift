extension ProgramBuilder {
    /// A consensus score's slot: each agent with a weight above 0 gets its inputs as indicator
    /// slots; the score is known once every weighed agent's inputs are.
    mutating func consensusScore(_ call: ConsensusCall, at pointer: String) throws(StrategyError) -> Int {
        var given: [String: Double] = [:]
        var places: [String: String] = [:]
        for setting in call.agentParameters {
            given[setting.name] = try quantity(setting.value, at: setting.pointer)
            places[setting.name] = setting.pointer
        }
        let agentParameters = try AgentParameters(given, pointer: { places[$0] ?? pointer + "/agent_params" })
        var members: [ConsensusProgram.Member] = []
        var warm = 0
        func agent(_ setting: ConsensusCall.Setting) throws(StrategyError) -> TradingAgent {
            guard let agent = TradingAgent(rawValue: setting.name) else {
                let known = TradingAgent.allCases.map(\.rawValue)
                throw StrategyError(
                    .unknownName, at: setting.pointer,
                    "unknown agent \"\(setting.name.prefix(40))\"\(Suggestion.didYouMean(setting.name, among: known)); agents: \(known.joined(separator: ", "))")
            }
            return agent
        }
        var vetoes: [TradingAgent: Double] = [:]
        for setting in call.vetoes {
            let confidence = try quantity(setting.value, at: setting.pointer)
            guard confidence.isFinite, confidence > 0, confidence <= 1 else {
                throw StrategyError(.invalidValue, at: setting.pointer, "a veto's confidence is above 0 and at most 1, not \(confidence)")
            }
            vetoes[try agent(setting)] = confidence
        }
        var weights = call.weights
        // A veto agent need not vote: it is a member weighed 0.
        for setting in call.vetoes where !weights.contains(where: { $0.name == setting.name }) {
            weights.append(ConsensusCall.Setting(name: setting.name, value: .literal(0), pointer: setting.pointer))
        }
        for setting in weights {
            let agent = try agent(setting)
            let weight = try quantity(setting.value, at: setting.pointer)
            guard weight.isFinite, weight >= 0, weight <= 100 else {
                throw StrategyError(.invalidValue, at: setting.pointer, "agent \(agent.rawValue) has weight \(weight); weights are between 0 and 100")
            }
            guard weight > 0 || vetoes[agent] != nil else { continue }
            var slots: [Int] = []
            if agent.isExternal {
                // Its vote is handed in; an agent that has not voted abstains, so it holds nothing back.
                let first = externalVote(agent)
                slots = [first, first + 1]
            }
            for input in agent.inputs(agentParameters) {
                let slot = try indicator(input, at: setting.pointer)
                slots.append(slot)
                warm = max(warm, warmup(slot))
            }
            members.append(ConsensusProgram.Member(agent: agent, weight: weight, slots: slots, veto: vetoes[agent]))
        }
        guard members.contains(where: { $0.weight > 0 }) else {
            throw StrategyError(.invalidValue, at: pointer + "/consensus", "give at least one agent a weight above 0")
        }
        // In the catalogue's order, however the document lists them.
        members.sort { TradingAgent.allCases.firstIndex(of: $0.agent)! < TradingAgent.allCases.firstIndex(of: $1.agent)! }
        let program = ConsensusProgram(members: members, parameters: agentParameters)
        let index = consensus.firstIndex(of: program) ?? consensus.count
        if index == consensus.count { consensus.append(program) }
        return emit(.init(op: .consensus, n: Int32(index)), warmup: warm)
    }
}
