import Indicators

extension ProgramBuilder {
    /// An indicator's output slot, the indicator added once for each distinct spec and source.
    mutating func indicator(_ call: IndicatorCall, at pointer: String) throws(StrategyError) -> Int {
        guard let definition = IndicatorCatalog.definition(named: call.name) else {
            let names = IndicatorCatalog.all.map(\.name)
            throw StrategyError(
                .unknownIndicator, at: pointer + "/indicator",
                "unknown indicator \"\(call.name.prefix(40))\"\(Suggestion.didYouMean(call.name, among: names)); `tradewind indicators --list` shows all \(names.count)")
        }
        var values = definition.parameters.map(\.defaultValue)
        var positional = 0
        for argument in call.arguments {
            let index: Int
            if let name = argument.name {
                guard let i = definition.parameters.firstIndex(where: { $0.name == name }) else {
                    let known = definition.parameters.map(\.name)
                    throw StrategyError(
                        .invalidField, at: argument.pointer,
                        "\(definition.name) has no parameter \"\(name.prefix(40))\"\(Suggestion.didYouMean(name, among: known)); its parameters are \(known.isEmpty ? "none" : known.joined(separator: ", "))")
                }
                index = i
            } else {
                guard positional < definition.parameters.count else {
                    throw StrategyError(.invalidValue, at: argument.pointer, "\(definition.name) takes \(definition.parameters.count) parameter(s)")
                }
                index = positional
                positional += 1
            }
            values[index] = try quantity(argument.value, at: argument.pointer)
        }
        let configured: ConfiguredIndicator
        do {
            configured = try ConfiguredIndicator(IndicatorSpec(name: definition.name, parameters: values))
        } catch {
            throw StrategyError(.invalidValue, at: pointer, error.message)
        }
        let source = call.source ?? .close
        if call.source != nil, definition.inputs != [.close] {
            throw StrategyError(
                .invalidField, at: pointer + "/source",
                "\(definition.name) reads \(definition.inputs.map(\.rawValue).joined(separator: ", ")) itself; only single-series indicators take a source")
        }
        var outputIndex = 0
        if definition.outputs.isEmpty {
            if let output = call.output, output != definition.name {
                throw StrategyError(.unknownName, at: pointer + "/output", "\(definition.name) has one output; leave \"output\" out")
            }
        } else {
            guard let output = call.output else {
                throw StrategyError(
                    .invalidField, at: pointer,
                    "\(definition.name) has several outputs; name one with \"output\": \(definition.outputs.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            guard let i = definition.outputs.firstIndex(of: output) else {
                throw StrategyError(
                    .unknownName, at: pointer + "/output",
                    "\(definition.name) has no output \"\(output.prefix(40))\"\(Suggestion.didYouMean(output, among: definition.outputs)); its outputs are \(definition.outputs.joined(separator: ", "))")
            }
            outputIndex = i
        }
        let input: StrategyPlan.IndicatorInput
        if let existing = indicatorInputs.first(where: { $0.indicator.spec == configured.spec && $0.source == source }) {
            input = existing
        } else {
            input = StrategyPlan.IndicatorInput(indicator: configured, source: source, slot: nextInput)
            indicatorInputs.append(input)
            inputWarmup += [Int](repeating: configured.lookback, count: definition.width)
            nextInput += definition.width
        }
        return input.slot + outputIndex
    }
}
