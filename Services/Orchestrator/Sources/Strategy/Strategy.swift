import Contract
import RPC
import Strategies
import TradingCore
import Wire

/// A strategy as bots, backtests and Analyze run it: a strategy-language document (a template
/// or the user's own), its parameter values and the bot's risk overrides, compiled once into the
/// plan that both strategy drivers run.
struct Strategy: Sendable {
    /// The template's name, or the document's own name for a custom document.
    let name: String
    /// Whether the document was given in full (not a template).
    let isCustom: Bool
    let document: StrategyDocument
    /// Every declared parameter's value.
    let parameters: [String: Double]
    let plan: StrategyPlan
    /// What the instrument allows (shorting), as compiled.
    let context: CompileContext
    /// The saved strategy (id and version) the document was read from, if any.
    let saved: (id: String, version: UInt32)?

    /// Resolves `config` (the `balanced` template when absent): its document, parameters set,
    /// a consensus preset's `agents` and `consensus_threshold` mapped onto its weight and threshold
    /// parameters, `risk`'s exits and sizing over the document's, the instrument's tick and lot
    /// where the document declares none (fills then price and size as execution's do), then
    /// `adjust` (a backtest's costs); compiled for what `instrument` allows (long only without one,
    /// unless `shortable` says otherwise).
    init(
        _ config: PB.StrategyConfig?, risk: BotRisk? = nil, instrument: PB.Instrument? = nil, shortable: Bool? = nil,
        adjust: (inout StrategyDocument) -> Void = { _ in }
    ) throws(OrchestratorError) {
        let config = config ?? PB.StrategyConfig()
        guard config.strategyId.isEmpty || !config.document.isEmpty else {
            throw OrchestratorError(.invalidArgument, "strategy_id names a saved strategy, which this call cannot read; give its document")
        }
        saved = config.strategyId.isEmpty ? nil : (config.strategyId, config.strategyVersion)
        var document: StrategyDocument
        if !config.pine.isEmpty {
            guard config.document.isEmpty else { throw OrchestratorError(.invalidStrategy, "give a document or pine, not both") }
            document = try SavedStrategies.compile(pine: config.pine).document
            name = config.name.isEmpty ? document.name : String(config.name.prefix(100))
            isCustom = true
        } else if !config.document.isEmpty {
            guard config.document.utf8.count <= 256 * 1024 else {
                throw OrchestratorError(.invalidStrategy, "the strategy document is \(config.document.utf8.count) bytes; at most 256 KiB")
            }
            document = try Self.checked { () throws(StrategyError) in try StrategyDocument(json: config.document) }
            name = config.name.isEmpty ? document.name : String(config.name.prefix(100))
            isCustom = true
        } else {
            let wanted = config.name.isEmpty ? "balanced" : config.name
            guard let json = StrategyTemplates.json(named: wanted) else {
                let known = StrategyTemplates.all.map(\.name)
                throw OrchestratorError(
                    .invalidStrategy,
                    "strategy \"\(wanted.prefix(40))\" is not a template; use one of \(known.joined(separator: ", ")) or give a strategy document")
            }
            document = try Self.checked { () throws(StrategyError) in try StrategyDocument(json: json) }
            name = wanted
            isCustom = false
        }
        var values = config.parameters
        let declared = Set(document.parameters.map(\.name))
        if !config.agents.isEmpty {
            for agent in TradingAgent.allCases {
                guard declared.contains("\(agent.rawValue)_weight") else {
                    throw OrchestratorError(.invalidStrategy, "agents apply to a strategy that declares agent weights (the consensus presets); \(name) does not")
                }
                values["\(agent.rawValue)_weight"] = 0
            }
            for a in config.agents {
                guard let agent = TradingAgent(rawValue: a.agent) else {
                    throw OrchestratorError(
                        .invalidStrategy, "agent \"\(a.agent.prefix(40))\" is unknown; known: \(TradingAgent.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard a.weight.isFinite, a.weight >= 0, a.weight <= 1 else {
                    throw OrchestratorError(.invalidStrategy, "agent \(a.agent) has weight \(a.weight); weights are between 0 and 1")
                }
                values["\(agent.rawValue)_weight"] = a.weight
            }
        }
        if config.consensusThreshold != 0 {
            guard declared.contains("threshold") else {
                throw OrchestratorError(.invalidStrategy, "consensus_threshold applies to the consensus presets; \(name) has no threshold parameter")
            }
            values["threshold"] = config.consensusThreshold
        }
        risk?.apply(to: &document)
        if let instrument {
            let tick = FixedDecimal(wire: instrument.tickSize), lot = FixedDecimal(wire: instrument.lotSize)
            if document.execution.tickSize == nil, tick > .zero { document.execution.tickSize = tick.doubleValue }
            if document.sizing.lot == nil, lot > .zero { document.sizing.lot = lot.doubleValue }
        }
        adjust(&document)
        let overrides = values
        let context = CompileContext(allowShort: shortable ?? instrument.map(Self.shortable) ?? false)
        self.context = context
        plan = try Self.checked { () throws(StrategyError) in try StrategyCompiler.compile(document, parameters: overrides, context: context) }
        self.document = document
        parameters = plan.parameters
    }

    /// The strategy as a config with everything resolved: what a bot stores and a result echoes.
    var config: PB.StrategyConfig {
        PB.StrategyConfig(
            name: name, parameters: parameters, consensusThreshold: parameters["threshold"] ?? 0,
            document: isCustom ? document.json.jsonText : "", strategyId: saved?.id ?? "", strategyVersion: saved?.version ?? 0)
    }

    /// The templates as ListStrategies answers them, with every declared parameter's default.
    static var infos: [PB.StrategyInfo] {
        StrategyTemplates.all.compactMap { template in
            guard let document = try? StrategyDocument(json: template.json) else { return nil }
            return PB.StrategyInfo(
                name: template.name, description: template.summary,
                defaultParameters: Dictionary(uniqueKeysWithValues: document.parameters.map { ($0.name, $0.defaultValue) }), document: template.json)
        }
    }

    /// Whether `instrument` can be sold short (spot crypto cannot).
    static func shortable(_ instrument: PB.Instrument) -> Bool { instrument.assetClass != .crypto }

    /// Runs a strategy-language step, turning its error into the orchestrator's (code and pointer kept in the text).
    static func checked<T>(_ body: () throws(StrategyError) -> T) throws(OrchestratorError) -> T {
        do { return try body() } catch { throw OrchestratorError(.invalidStrategy, error.description) }
    }
}
