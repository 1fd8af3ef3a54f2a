extension StrategyDocument {
    /// Reads a document from its JSON text; every error names its JSON pointer.
    public init(json text: String) throws(StrategyError) {
        try self.init(value: try JSONValue(parsing: text))
    }

    /// Reads a document from a parsed JSON value.
    public init(value: JSONValue) throws(StrategyError) {
        let root = JSONPointer()
        let object = try DocumentReader.object(value, at: root)
        try DocumentReader.onlyKeys(
            object, ["version", "name", "description", "parameters", "signals", "rules", "exits", "sizing", "execution", "pyramiding"],
            at: root)
        guard let versionValue = object["version"] else {
            throw StrategyError(.invalidField, at: "/version", "the document has no version; add \"version\": \(Self.currentVersion)")
        }
        let version = try DocumentReader.integer(versionValue, at: root.appending("version"))
        guard version == Self.currentVersion else {
            throw StrategyError(
                .unsupportedVersion, at: "/version", "version \(version) is not one this build reads; write \"version\": \(Self.currentVersion)")
        }
        self.version = version
        json = value
        name = try object["name"].map { v throws(StrategyError) in try DocumentReader.string(v, at: root.appending("name")) } ?? "unnamed strategy"
        description = try object["description"].map { v throws(StrategyError) in try DocumentReader.string(v, at: root.appending("description")) } ?? ""
        parameters = try DocumentReader.parameters(object["parameters"], at: root.appending("parameters"))
        signals = [:]
        if let signalsValue = object["signals"] {
            let at = root.appending("signals")
            for (key, node) in try DocumentReader.object(signalsValue, at: at) {
                guard DocumentReader.isName(key) else {
                    throw StrategyError(
                        .invalidValue, at: at.appending(key).description,
                        "a signal name is letters, digits and underscores, starting with a letter")
                }
                signals[key] = try DocumentReader.expression(node, at: at.appending(key))
            }
        }
        guard let rulesValue = object["rules"] else {
            throw StrategyError(.invalidField, at: "/rules", "the document has no rules; give at least \"entry_long\" or \"entry_short\"")
        }
        rules = try DocumentReader.rules(rulesValue, at: root.appending("rules"))
        exits = try object["exits"].map { v throws(StrategyError) in try DocumentReader.exits(v, at: root.appending("exits")) } ?? Exits()
        sizing = try object["sizing"].map { v throws(StrategyError) in try DocumentReader.sizing(v, at: root.appending("sizing")) } ?? Sizing()
        execution = try object["execution"].map { v throws(StrategyError) in try DocumentReader.execution(v, at: root.appending("execution")) } ?? ExecutionAssumptions()
        pyramiding = 1
        if let p = object["pyramiding"] {
            pyramiding = try DocumentReader.integer(p, at: root.appending("pyramiding"))
            guard (1...100).contains(pyramiding) else {
                throw StrategyError(.invalidValue, at: "/pyramiding", "pyramiding is \(pyramiding); give 1 (no adding) to 100 entries")
            }
        }
    }
}

/// The document's reader: shapes, names and literal values, each error at its pointer. Meaning
/// (names resolved, kinds checked, parameters in range) is the compiler's.
enum DocumentReader {
    static func object(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> [String: JSONValue] {
        guard case .object(let o) = value else { throw StrategyError(.malformed, at: p.description, "expected an object, found \(value.kind)") }
        return o
    }

    static func string(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> String {
        guard case .string(let s) = value else { throw StrategyError(.invalidValue, at: p.description, "expected a string, found \(value.kind)") }
        return s
    }

    static func number(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> Double {
        guard case .number(let n) = value else { throw StrategyError(.invalidValue, at: p.description, "expected a number, found \(value.kind)") }
        return n
    }

    static func integer(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> Int {
        let n = try number(value, at: p)
        guard n == n.rounded(), abs(n) < 1e15 else { throw StrategyError(.invalidValue, at: p.description, "expected a whole number, found \(n)") }
        return Int(n)
    }

    /// Refuses keys outside `allowed`, suggesting the nearest one.
    static func onlyKeys(_ object: [String: JSONValue], _ allowed: [String], at p: JSONPointer) throws(StrategyError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw StrategyError(
                .invalidField, at: p.appending(key).description,
                "\"\(key.prefix(60))\" is not a field here\(Suggestion.didYouMean(key, among: allowed)); the fields are \(allowed.joined(separator: ", "))")
        }
    }

    static func isName(_ text: String) -> Bool {
        // ASCII names (nearly all) are checked byte by byte; Unicode property lookups are slow.
        let bytes = text.utf8
        if bytes.allSatisfy({ $0 < 0x80 }) {
            func letter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
            guard let first = bytes.first, letter(first), bytes.count <= 64 else { return false }
            return bytes.allSatisfy { letter($0) || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }
        }
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic, text.count <= 64 else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    /// A literal number or `"$name"`.
    static func quantity(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> StrategyDocument.Quantity {
        switch value {
        case .number(let n): return .literal(n)
        case .string(let s) where s.hasPrefix("$") && isName(String(s.dropFirst())): return .parameter(String(s.dropFirst()))
        default:
            throw StrategyError(.invalidValue, at: p.description, "expected a number or a declared parameter such as \"$period\", found \(value.kind)")
        }
    }

    static func parameters(_ value: JSONValue?, at p: JSONPointer) throws(StrategyError) -> [StrategyDocument.ParameterDeclaration] {
        guard let value else { return [] }
        var declared: [StrategyDocument.ParameterDeclaration] = []
        for (name, spec) in try object(value, at: p).sorted(by: { $0.key < $1.key }) {
            let at = p.appending(name)
            guard isName(name) else { throw StrategyError(.invalidValue, at: at.description, "a parameter name is letters, digits and underscores") }
            let fields = try object(spec, at: at)
            try onlyKeys(fields, ["int", "float", "default", "step", "description"], at: at)
            let kinds = fields.keys.filter { $0 == "int" || $0 == "float" }
            guard kinds.count == 1, let kindName = kinds.first, let kind = StrategyDocument.ParameterDeclaration.Kind(rawValue: kindName) else {
                throw StrategyError(
                    .invalidField, at: at.description, "declare the type and range as \"int\": [min, max] or \"float\": [min, max], exactly one")
            }
            guard case .array(let bounds) = fields[kindName]!, bounds.count == 2 else {
                throw StrategyError(.invalidValue, at: at.appending(kindName).description, "the range is an array [min, max]")
            }
            let low = try number(bounds[0], at: at.appending(kindName).appending(0))
            let high = try number(bounds[1], at: at.appending(kindName).appending(1))
            guard low <= high else {
                throw StrategyError(.invalidValue, at: at.appending(kindName).description, "the range [\(low), \(high)] has its minimum above its maximum")
            }
            if kind == .int, low != low.rounded() || high != high.rounded() {
                throw StrategyError(.invalidValue, at: at.appending(kindName).description, "an int parameter's range is whole numbers")
            }
            guard let defaultValue = fields["default"] else {
                throw StrategyError(.invalidField, at: at.description, "parameter \(name) has no \"default\"")
            }
            let d = try number(defaultValue, at: at.appending("default"))
            guard d >= low, d <= high, kind == .float || d == d.rounded() else {
                throw StrategyError(
                    .invalidValue, at: at.appending("default").description,
                    "the default \(d) is not \(kind == .int ? "a whole number " : "")in [\(low), \(high)]")
            }
            var step = kind == .int ? 1 : (high - low) / 10
            if let s = fields["step"] {
                step = try number(s, at: at.appending("step"))
                guard step > 0, kind == .float || step == step.rounded() else {
                    throw StrategyError(.invalidValue, at: at.appending("step").description, "the step must be positive (and whole for an int)")
                }
            }
            if step == 0 { step = 1 }
            declared.append(.init(name: name, kind: kind, minimum: low, maximum: high, defaultValue: d, step: step))
        }
        return declared
    }

    static func rules(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> StrategyDocument.Rules {
        let fields = try object(value, at: p)
        try onlyKeys(fields, ["entry_long", "exit_long", "entry_short", "exit_short"], at: p)
        func list(_ key: String) throws(StrategyError) -> [Expression] {
            guard let v = fields[key] else { return [] }
            let at = p.appending(key)
            if case .array(let items) = v {
                var out: [Expression] = []
                for (i, item) in items.enumerated() { out.append(try expression(item, at: at.appending(i))) }
                return out
            }
            return [try expression(v, at: at)]
        }
        let rules = StrategyDocument.Rules(
            entryLong: try list("entry_long"), exitLong: try list("exit_long"), entryShort: try list("entry_short"),
            exitShort: try list("exit_short"))
        guard !rules.entryLong.isEmpty || !rules.entryShort.isEmpty else {
            throw StrategyError(.invalidField, at: p.description, "the rules have no entry; give \"entry_long\" or \"entry_short\"")
        }
        return rules
    }

    static func distance(_ value: JSONValue, at p: JSONPointer, allowPrice: Bool) throws(StrategyError) -> StrategyDocument.Distance {
        let fields = try object(value, at: p)
        let forms =
            allowPrice
            ? "{\"percent\": 2}, {\"atr\": 3, \"period\": 14}, {\"points\": 1.5}, {\"price\": <expression>} or {\"level\": <expression>}"
            : "{\"percent\": 2}, {\"atr\": 3, \"period\": 14} or {\"points\": 1.5}"
        if let v = fields["percent"] {
            try onlyKeys(fields, ["percent"], at: p)
            return .percent(try quantity(v, at: p.appending("percent")))
        }
        if let v = fields["atr"] {
            try onlyKeys(fields, ["atr", "period"], at: p)
            return .atr(multiple: try quantity(v, at: p.appending("atr")), period: try fields["period"].map { v throws(StrategyError) in try quantity(v, at: p.appending("period")) } ?? .literal(14))
        }
        if let v = fields["points"] {
            try onlyKeys(fields, ["points"], at: p)
            return .points(try quantity(v, at: p.appending("points")))
        }
        if allowPrice, let v = fields["price"] {
            try onlyKeys(fields, ["price"], at: p)
            return .price(try expression(v, at: p.appending("price")))
        }
        if allowPrice, let v = fields["level"] {
            try onlyKeys(fields, ["level", "side"], at: p)
            var side: StrategyDocument.PositionSide?
            if let s = fields["side"] {
                let text = try string(s, at: p.appending("side"))
                guard let parsed = StrategyDocument.PositionSide(rawValue: text) else {
                    throw StrategyError(.invalidValue, at: p.appending("side").description, "side is \"long\" or \"short\" (leave it out for both)")
                }
                side = parsed
            }
            return .level(try expression(v, at: p.appending("level")), side: side)
        }
        throw StrategyError(.invalidField, at: p.description, "write the distance as \(forms)")
    }

    static func exits(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> StrategyDocument.Exits {
        let fields = try object(value, at: p)
        try onlyKeys(fields, ["stop_loss", "take_profit", "trailing_stop", "max_bars"], at: p)
        // A trailing stop may say when it starts: {"points": 10, "activation": 5}.
        var trailing = fields["trailing_stop"]
        var activation: StrategyDocument.Quantity?
        if case .object(var o)? = trailing, let a = o.removeValue(forKey: "activation") {
            activation = try quantity(a, at: p.appending("trailing_stop").appending("activation"))
            trailing = .object(o)
        }
        return StrategyDocument.Exits(
            stopLoss: try fields["stop_loss"].map { v throws(StrategyError) in try distance(v, at: p.appending("stop_loss"), allowPrice: true) },
            takeProfit: try fields["take_profit"].map { v throws(StrategyError) in try distance(v, at: p.appending("take_profit"), allowPrice: true) },
            trailingStop: try trailing.map { v throws(StrategyError) in try distance(v, at: p.appending("trailing_stop"), allowPrice: false) },
            maxBars: try fields["max_bars"].map { v throws(StrategyError) in try quantity(v, at: p.appending("max_bars")) }, trailingActivation: activation)
    }

    static func sizing(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> StrategyDocument.Sizing {
        let fields = try object(value, at: p)
        typealias S = StrategyDocument.Sizing
        guard let modelValue = fields["model"] else {
            throw StrategyError(
                .invalidField, at: p.description, "sizing needs a \"model\": \(S.Model.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let name = try string(modelValue, at: p.appending("model"))
        guard let model = S.Model(rawValue: name) else {
            let known = S.Model.allCases.map(\.rawValue)
            throw StrategyError(
                .invalidValue, at: p.appending("model").description,
                "\"\(name.prefix(40))\" is not a sizing model\(Suggestion.didYouMean(name, among: known)); use one of \(known.joined(separator: ", "))")
        }
        let allowed: [String] =
            switch model {
            case .allIn: []
            case .fixedQuantity: ["quantity"]
            case .percentEquity, .riskPercent: ["percent"]
            case .atr: ["percent", "multiple", "period"]
            case .kelly: ["fraction", "min_trades", "percent"]
            case .fixedCash: ["amount"]
            }
        try onlyKeys(fields, ["model", "lot"] + allowed, at: p)
        func q(_ key: String) throws(StrategyError) -> StrategyDocument.Quantity? { try fields[key].map { v throws(StrategyError) in try quantity(v, at: p.appending(key)) } }
        var sizing = S(
            model: model, quantity: try q("quantity"), percent: try q("percent"), multiple: try q("multiple"), period: try q("period"),
            fraction: try q("fraction"), minTrades: try q("min_trades"))
        sizing.amount = try q("amount")
        if model == .fixedCash, sizing.amount == nil {
            throw StrategyError(.invalidField, at: p.description, "fixed_cash needs \"amount\" (of cash per entry)")
        }
        if model == .fixedQuantity, sizing.quantity == nil {
            throw StrategyError(.invalidField, at: p.description, "fixed_quantity needs \"quantity\"")
        }
        if model == .percentEquity || model == .riskPercent || model == .atr, sizing.percent == nil {
            throw StrategyError(.invalidField, at: p.description, "\(name) needs \"percent\" (of equity)")
        }
        if let lot = fields["lot"] {
            let v = try number(lot, at: p.appending("lot"))
            guard v >= 1e-8, v <= 1e9 else { throw StrategyError(.invalidValue, at: p.appending("lot").description, "lot must be between 0.00000001 and 1e9") }
            sizing.lot = v
        }
        return sizing
    }

    static func execution(_ value: JSONValue, at p: JSONPointer) throws(StrategyError) -> StrategyDocument.ExecutionAssumptions {
        let fields = try object(value, at: p)
        try onlyKeys(fields, ["fill", "fee_bps", "slippage_bps", "slippage_ticks", "tick_size", "intrabar"], at: p)
        var e = StrategyDocument.ExecutionAssumptions()
        if let f = fields["fill"] {
            let text = try string(f, at: p.appending("fill"))
            guard let fill = StrategyDocument.ExecutionAssumptions.Fill(rawValue: text) else {
                throw StrategyError(.invalidValue, at: p.appending("fill").description, "fill is \"close\" (the signal bar's close) or \"next_open\"")
            }
            e.fill = fill
        }
        if let f = fields["intrabar"] {
            let text = try string(f, at: p.appending("intrabar"))
            guard let path = StrategyDocument.IntrabarPath(rawValue: text) else {
                throw StrategyError(
                    .invalidValue, at: p.appending("intrabar").description,
                    "intrabar is \"stop_first\" (a bar reaching both levels is stopped) or \"nearest_first\" (TradingView's rule: the nearer of high and low first)")
            }
            e.intrabar = path
        }
        func bounded(_ key: String, _ range: ClosedRange<Double>) throws(StrategyError) -> Double? {
            guard let v = fields[key] else { return nil }
            let n = try number(v, at: p.appending(key))
            guard range.contains(n) else {
                throw StrategyError(.invalidValue, at: p.appending(key).description, "\(key) is \(n); it must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return n
        }
        e.feeBps = try bounded("fee_bps", 0...1000) ?? 0
        e.slippageBps = try bounded("slippage_bps", 0...1000) ?? 0
        e.slippageTicks = try bounded("slippage_ticks", 0...1000) ?? 0
        e.tickSize = try bounded("tick_size", 1e-8...1e6)
        return e
    }
}
