import Indicators
import TradingCore

/// What the compiler checks a document against beyond the document itself.
public struct CompileContext: Sendable, Hashable {
    /// Whether the instrument can be sold short (spot crypto cannot unless marked so).
    public var allowShort: Bool
    /// Bars of data the strategy will run over, when known: shorter than the warm-up is refused.
    public var bars: Int?

    public init(allowShort: Bool = true, bars: Int? = nil) {
        self.allowShort = allowShort
        self.bars = bars
    }
}

/// Checks a document's meaning and compiles it for one parameter set into a `StrategyPlan`: names
/// resolved (parameters, signals, indicators, outputs), kinds checked (a condition where a
/// condition belongs), parameters in their declared ranges, identical sub-expressions computed once.
public enum StrategyCompiler {
    /// Compiles `document` with `overrides` over its declared defaults.
    public static func compile(
        _ document: StrategyDocument, parameters overrides: [String: Double] = [:], context: CompileContext = CompileContext()
    ) throws(StrategyError) -> StrategyPlan {
        let parameters = try resolve(document.parameters, overrides)
        var builder = ProgramBuilder(document: document, parameters: parameters)
        func rule(_ conditions: [Expression]) throws(StrategyError) -> Int? {
            guard !conditions.isEmpty else { return nil }
            var slot: Int?
            for c in conditions {
                let s = try builder.condition(c)
                slot = try slot.map { prior throws(StrategyError) in try builder.combine(.and, prior, s) } ?? s
            }
            return slot
        }
        if !context.allowShort, let first = document.rules.entryShort.first {
            throw StrategyError(
                .shortingNotAllowed, at: first.pointer,
                "this instrument cannot be sold short (spot markets are long only); remove entry_short or trade an instrument marked shortable")
        }
        var roots = document.rules.entryLong + document.rules.exitLong + document.rules.entryShort + document.rules.exitShort
        for d in [document.exits.stopLoss, document.exits.takeProfit] {
            switch d {
            case .price(let e)?, .level(let e, _)?: roots.append(e)
            default: break
            }
        }
        try builder.precompileSignals(reachableFrom: roots)
        let rules = (
            try rule(document.rules.entryLong), try rule(document.rules.exitLong),
            try rule(document.rules.entryShort), try rule(document.rules.exitShort)
        )
        let exits = document.exits
        let stop = try exits.stopLoss.map { d throws(StrategyError) in try builder.distance(d, at: "/exits/stop_loss") }
        let target = try exits.takeProfit.map { d throws(StrategyError) in try builder.distance(d, at: "/exits/take_profit") }
        let trail = try exits.trailingStop.map { d throws(StrategyError) in try builder.distance(d, at: "/exits/trailing_stop") }
        let maxBars = try exits.maxBars.map { q throws(StrategyError) in
            try builder.count(q, at: "/exits/max_bars", range: 1...100_000)
        }
        let activation = try exits.trailingActivation.map { q throws(StrategyError) in try builder.quantity(q, at: "/exits/trailing_stop/activation") } ?? 0
        guard activation >= 0, activation.isFinite else {
            throw StrategyError(.invalidValue, at: "/exits/trailing_stop/activation", "the activation distance is a price distance of 0 or more")
        }
        let sizing = try builder.sizing(document.sizing, hasStop: stop != nil)
        try builder.resolvePrevious()
        let built = builder.finish()
        let slot = built.slot
        let final = (rules.0.map(slot), rules.1.map(slot), rules.2.map(slot), rules.3.map(slot))
        func renumbered(_ d: StrategyPlan.Distance?) -> StrategyPlan.Distance? {
            switch d {
            case .price(let s): .price(slot: slot(s))
            case .level(let s, let side): .level(slot: slot(s), side: side)
            default: d
            }
        }
        let warmup = [final.0, final.1, final.2, final.3].compactMap { $0 }.map { built.warmup[$0] ?? 0 }.max() ?? 0
        if let bars = context.bars, bars <= warmup {
            throw StrategyError(
                .notEnoughData, "the strategy needs \(warmup + 1) bars before its rules can first decide, and the data has \(bars); give more history or shorter periods")
        }
        return StrategyPlan(
            document: document, parameters: parameters, indicators: built.indicators, program: built.program, rules: final,
            exits: (renumbered(stop), renumbered(target), renumbered(trail), maxBars), trailingActivation: activation, sizing: sizing, warmup: warmup)
    }

    /// The declared defaults with `overrides` applied; an undeclared name or a value out of range is refused.
    public static func resolve(
        _ declared: [StrategyDocument.ParameterDeclaration], _ overrides: [String: Double]
    ) throws(StrategyError) -> [String: Double] {
        var values: [String: Double] = [:]
        for d in declared { values[d.name] = d.defaultValue }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let d = declared.first(where: { $0.name == name }) else {
                let known = declared.map(\.name)
                throw StrategyError(
                    .invalidParameter,
                    "the strategy declares no parameter \"\(name.prefix(40))\"\(Suggestion.didYouMean(name, among: known)); it declares \(known.isEmpty ? "none" : known.joined(separator: ", "))")
            }
            guard value.isFinite, value >= d.minimum, value <= d.maximum, d.kind == .float || value == value.rounded() else {
                throw StrategyError(
                    .invalidParameter, at: "/parameters/\(name)",
                    "\(name) = \(value) is outside its declared range: \(d.kind == .int ? "a whole number " : "")from \(d.minimum) to \(d.maximum)")
            }
            values[name] = value
        }
        return values
    }
}
