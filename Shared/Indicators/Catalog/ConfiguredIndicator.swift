/// An indicator with every parameter resolved and validated: what the CLI computes, the service
/// keeps per indicator set, and a bot evaluates.
public struct ConfiguredIndicator: Sendable, CustomStringConvertible {
    public let definition: IndicatorDefinition
    /// Every parameter, defaults filled in, in catalogue order.
    public let parameters: [Double]
    /// How many parameters were written in the spec (decides the column name).
    let given: Int

    public init(_ spec: IndicatorSpec) throws(IndicatorError) {
        guard let definition = IndicatorCatalog.definition(named: spec.name) else {
            throw IndicatorError(
                .unknownIndicator, "no indicator named '\(spec.name)'; `tradewind indicators --list` shows them all")
        }
        guard spec.parameters.count <= definition.parameters.count else {
            let names = definition.parameters.map(\.name).joined(separator: ", ")
            throw IndicatorError(
                .malformedSpec,
                "\(definition.name) takes \(definition.parameters.count) parameter(s) (\(names.isEmpty ? "none" : names)), not \(spec.parameters.count)")
        }
        var values = definition.parameters.map(\.defaultValue)
        for (index, value) in spec.parameters.enumerated() {
            try definition.parameters[index].validate(value, of: definition.name)
            values[index] = value
        }
        self.definition = definition
        self.parameters = values
        self.given = spec.parameters.count
    }

    public init(parsing text: String) throws(IndicatorError) {
        try self.init(IndicatorSpec(parsing: text))
    }

    /// The column stem: name, then the parameters joined by `_` (`macd_12_26_9`, `sar_0.02_0.2`).
    /// Moving-average types appear only when written in the spec.
    public var columnStem: String {
        let shown = max(given, definition.parameters.count(where: { $0.kind != .movingAverageType }))
        return ([definition.name] + parameters.prefix(shown).map(formatParameter)).joined(separator: "_")
    }

    /// One column name per output: the stem, plus `_output` for multi-output indicators.
    public var columnNames: [String] {
        definition.outputs.isEmpty ? [columnStem] : definition.outputs.map { columnStem + "_" + $0 }
    }

    /// The spec with every parameter written out.
    public var spec: IndicatorSpec { IndicatorSpec(name: definition.name, parameters: parameters) }

    public var description: String { columnStem }

    /// A fresh streaming instance.
    public func makeEngine() -> any IndicatorEngine { definition.make(Parameters(values: parameters)) }

    /// Bars consumed before the first value.
    public var lookback: Int { makeEngine().lookback }

    /// The batch form over owned columns: one array per output, NaN during warm-up.
    public func compute(_ series: PriceSeries) -> [[Double]] {
        var engine = makeEngine()
        return makeOutputColumns(count: series.count, width: definition.width) { columns in
            series.withColumns { engine.run(over: $0, into: columns) }
        }
    }
}
