/// What a script's `strategy(…)` declaration sets.
struct PineStrategyDeclaration {
    var title = "Pine strategy"
    var initialCapital = 1_000_000.0
    /// `strategy.fixed`, `strategy.percent_of_equity` or `strategy.cash`.
    var quantityType = "strategy.fixed"
    var quantity = 1.0
    var commissionPercent = 0.0
    var slippageTicks = 0.0
    var pyramiding = 0
    var processOrdersOnClose = false
    var location = PineLocation(line: 1, column: 1)
}

/// The `strategy.*` calls a script makes, each with the condition under which it runs.
struct PineOrders {
    struct Entry {
        var id: String
        var long: Bool
        var condition: JSONValue
        /// `qty =`: a constant or an input.
        var quantity: JSONValue?
        /// `strategy.order` (no reversal, no pyramiding limit) rather than `strategy.entry`.
        var isOrder: Bool
        var location: PineLocation
    }

    struct Exit {
        var condition: JSONValue
        var stop: JSONValue?
        var limit: JSONValue?
        var lossTicks: Double?
        var profitTicks: Double?
        var trailOffsetTicks: Double?
        var trailActivationTicks: Double?
        /// The entry id it protects (nil: every entry).
        var fromEntry: String?
        var location: PineLocation
    }

    var entries: [Entry] = []
    /// `strategy.close(id)` (nil id: `close_all`).
    var closes: [(id: String?, condition: JSONValue, location: PineLocation)] = []
    var exits: [Exit] = []
    var cancels: [(id: String?, condition: JSONValue)] = []
}

extension PineScriptCompiler {
    mutating func strategyDeclaration(_ args: [PineArgument], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        guard declaration == nil else { throw PineDiagnostic(.duplicate, at: e.location, text: "strategy", "the script declares strategy() twice") }
        guard scopes.count == 1, path == nil else { throw PineDiagnostic(.syntax, at: e.location, text: "strategy", "strategy() is declared at the top level") }
        var d = PineStrategyDeclaration()
        d.location = e.location
        let known = [
            "title", "shorttitle", "overlay", "format", "precision", "scale", "pyramiding", "calc_on_order_fills", "calc_on_every_tick", "max_bars_back",
            "backtest_fill_limits_assumption", "default_qty_type", "default_qty_value", "initial_capital", "currency", "slippage", "commission_type",
            "commission_value", "process_orders_on_close", "close_entries_rule", "margin_long", "margin_short", "explicit_plot_zorder", "max_lines_count",
            "max_labels_count", "max_boxes_count", "calc_bars_count", "risk_free_rate", "use_bar_magnifier", "fill_orders_on_standard_ohlc",
            "max_polylines_count", "dynamic_requests", "behind_chart",
        ]
        for (k, arg) in args.enumerated() {
            let label = arg.label ?? (k == 0 ? "title" : (k == 1 ? "shorttitle" : (k == 2 ? "overlay" : "")))
            guard known.contains(label) else {
                throw PineDiagnostic(
                    .argument, at: arg.value.location, text: label.isEmpty ? arg.value.text : label,
                    label.isEmpty ? "name strategy()'s arguments after the third, e.g. initial_capital = 10000" : "strategy() has no argument '\(label)'\(Suggestion.didYouMean(label, among: known))")
            }
            let v = try value(arg.value)
            func number() throws(PineDiagnostic) -> Double {
                guard let c = v.constant, v.qualifier == .const, c.isFinite else {
                    throw PineDiagnostic(.type, at: arg.value.location, text: arg.value.text, "\(label) must be a literal number")
                }
                return c
            }
            func flag() throws(PineDiagnostic) -> Bool {
                guard v.type == .bool, let c = v.constant else { throw PineDiagnostic(.type, at: arg.value.location, text: arg.value.text, "\(label) must be true or false") }
                return c == 1
            }
            switch label {
            case "title": d.title = v.text ?? d.title
            case "initial_capital":
                d.initialCapital = try number()
                guard d.initialCapital > 0, d.initialCapital < 1e11 else {
                    throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "initial_capital must be above 0 and below 100 billion")
                }
            case "default_qty_type":
                guard let t = v.text, ["strategy.fixed", "strategy.percent_of_equity", "strategy.cash"].contains(t) else {
                    throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "default_qty_type is strategy.fixed, strategy.percent_of_equity or strategy.cash")
                }
                d.quantityType = t
            case "default_qty_value":
                d.quantity = try number()
                guard d.quantity > 0 else { throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "default_qty_value must be above 0") }
            case "commission_type":
                guard v.text == "strategy.commission.percent" else {
                    throw PineDiagnostic(.unsupported, at: arg.value.location, text: arg.value.text, "only strategy.commission.percent is supported (fees are a share of the notional)")
                }
            case "commission_value":
                d.commissionPercent = try number()
                guard (0...10).contains(d.commissionPercent) else { throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "commission_value is a percent from 0 to 10") }
            case "slippage":
                d.slippageTicks = try number()
                guard (0...1000).contains(d.slippageTicks) else { throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "slippage is 0 to 1,000 ticks") }
            case "pyramiding":
                let p = try number()
                guard p >= 0, p <= 100, p == p.rounded() else { throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "pyramiding is a whole number from 0 to 100") }
                d.pyramiding = Int(p)
            case "process_orders_on_close": d.processOrdersOnClose = try flag()
            case "margin_long", "margin_short":
                let m = try number()
                if m != 0, m != 100 {
                    warn("margin", at: arg.value.location, text: label, "\(label) = \(m) is read as 100: an entry never spends more than the cash there is, and there are no margin calls")
                }
            case "calc_on_every_tick", "calc_on_order_fills", "use_bar_magnifier":
                if (try? flag()) == true {
                    warn(label, at: arg.value.location, text: label, "\(label) is ignored: strategies run once per closed bar")
                }
            case "close_entries_rule":
                if v.text == "ANY" { warn(label, at: arg.value.location, text: label, "close_entries_rule = \"ANY\" is read as FIFO: strategy.close closes the whole position") }
            default: break
            }
        }
        declaration = d
        return .void
    }

    mutating func strategyCall(_ name: String, _ args: [PineArgument?], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        let signature = PineBuiltins.signatures[name]!.parameters
        func arg(_ label: String) -> PineExpr? { signature.firstIndex(of: label).flatMap { args[$0]?.value } }
        func text(_ label: String) throws(PineDiagnostic) -> String? {
            guard let expr = arg(label) else { return nil }
            guard let s = try value(expr).text else { throw PineDiagnostic(.type, at: expr.location, text: expr.text, "\(label) must be a string literal") }
            return s
        }
        func ticks(_ label: String) throws(PineDiagnostic) -> Double? {
            guard let expr = arg(label) else { return nil }
            let v = try value(expr)
            guard let c = v.constant, v.qualifier == .const, c.isFinite, c >= 0 else {
                throw PineDiagnostic(.unsupported, at: expr.location, text: expr.text, "\(label) (in ticks) must be a literal number here, not \(v.typeName)")
            }
            return c
        }
        // The condition this call runs under: the path, and `when` (v5).
        var conditions: [JSONValue] = effectivePath.map { [$0] } ?? []
        if let when = arg("when") {
            if version >= 6 {
                warn("when", at: when.location, text: "when", "when was removed from strategy.* in Pine v6 (TradingView refuses it); it is accepted here, but put the call under an if")
            }
            let c = try condition(when, what: "when of \(name)")
            conditions.append(c.ir)
        }
        let condition = conditions.isEmpty ? JSONValue.bool(true) : IR.and(conditions)
        for unsupported in ["limit", "stop"] where (name == "strategy.entry" || name == "strategy.order") && arg(unsupported) != nil {
            throw PineDiagnostic(.unsupported, at: arg(unsupported)!.location, text: unsupported, "\(name) with \(unsupported) (a \(unsupported) entry order) is not supported yet; entries are market orders")
        }
        for unsupported in ["qty_percent", "trail_price", "oca_name"] where arg(unsupported) != nil {
            throw PineDiagnostic(.unsupported, at: arg(unsupported)!.location, text: unsupported, "\(name)'s \(unsupported) is not supported yet")
        }
        switch name {
        case "strategy.entry", "strategy.order":
            let id = try text("id") ?? ""
            guard let directionExpr = arg("direction") else { throw PineDiagnostic(.argument, at: e.location, text: name, "\(name) needs a direction") }
            let direction = try value(directionExpr).text
            guard direction == "strategy.long" || direction == "strategy.short" else {
                throw PineDiagnostic(.argument, at: directionExpr.location, text: directionExpr.text, "the direction is strategy.long or strategy.short")
            }
            var quantity: JSONValue?
            if let q = arg("qty") {
                let v = try value(q)
                guard v.type.isNumeric, v.qualifier <= .input, v.constant != nil || v.parameter != nil else {
                    throw PineDiagnostic(.unsupported, at: q.location, text: q.text, "qty must be a literal or an input, not \(v.typeName) (sizes that change from bar to bar are not supported yet)")
                }
                quantity = v.parameter.map { .string($0) } ?? .number(v.constant!)
            }
            orders.entries.append(.init(id: id, long: direction == "strategy.long", condition: condition, quantity: quantity, isOrder: name == "strategy.order", location: e.location))
        case "strategy.close":
            if arg("qty") != nil { throw PineDiagnostic(.unsupported, at: arg("qty")!.location, text: "qty", "partial closes (qty) are not supported yet; strategy.close closes the whole position") }
            orders.closes.append((try text("id"), condition, e.location))
        case "strategy.close_all":
            orders.closes.append((nil, condition, e.location))
        case "strategy.exit":
            if arg("qty") != nil { throw PineDiagnostic(.unsupported, at: arg("qty")!.location, text: "qty", "partial exits (qty) are not supported yet") }
            var exit = PineOrders.Exit(condition: condition, fromEntry: try text("from_entry"), location: e.location)
            for (label, keyPath) in [("stop", \PineOrders.Exit.stop), ("limit", \PineOrders.Exit.limit)] {
                guard let expr = arg(label) else { continue }
                let v = try number(expr, of: name)
                exit[keyPath: keyPath] = v.ir
            }
            exit.lossTicks = try ticks("loss")
            exit.profitTicks = try ticks("profit")
            exit.trailOffsetTicks = try ticks("trail_offset")
            exit.trailActivationTicks = try ticks("trail_points")
            if exit.trailOffsetTicks != nil, exit.trailActivationTicks == nil {
                throw PineDiagnostic(.argument, at: e.location, text: name, "trail_offset needs trail_points: how far in profit (ticks) the trailing stop starts, 0 at the entry")
            }
            guard exit.stop != nil || exit.limit != nil || exit.lossTicks != nil || exit.profitTicks != nil || exit.trailOffsetTicks != nil else {
                throw PineDiagnostic(.argument, at: e.location, text: name, "strategy.exit needs a level: stop, limit, loss, profit or trail_offset")
            }
            if (exit.stop != nil && exit.lossTicks != nil) || (exit.limit != nil && exit.profitTicks != nil) {
                throw PineDiagnostic(.argument, at: e.location, text: name, "give stop or loss (and limit or profit), not both")
            }
            orders.exits.append(exit)
        case "strategy.cancel":
            orders.cancels.append((try text("id"), condition))
        case "strategy.cancel_all":
            orders.cancels.append((nil, condition))
        default:
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name) is not supported")
        }
        return .void
    }
}

extension PineOrders {
    /// The strategy-language document: entries and closes as rules, exits as protective levels,
    /// sizing and costs from the declaration, inputs as parameters.
    func document(
        declaration d: PineStrategyDeclaration, signals: [String: JSONValue], parameters: [String: JSONValue], compiler: inout PineScriptCompiler
    ) throws(PineDiagnostic) -> StrategyDocument {
        guard !entries.isEmpty else {
            throw PineDiagnostic(.notAStrategy, at: d.location, text: "strategy", "the strategy never enters: add strategy.entry(\"Long\", strategy.long) under the condition to buy")
        }
        var signals = signals
        func cancelled(_ id: String) -> [JSONValue] {
            cancels.filter { $0.id == nil || $0.id == id }.map { IR.not($0.condition) }
        }
        var entryLong: [JSONValue] = [], entryShort: [JSONValue] = [], exitLong: [JSONValue] = [], exitShort: [JSONValue] = []
        let short: JSONValue = .object(["position": .string("short")]), long: JSONValue = .object(["position": .string("long")])
        for entry in entries {
            let condition = IR.and([entry.condition] + cancelled(entry.id))
            var opening = condition
            if entry.isOrder {
                // strategy.order does not reverse: against an open position it closes it.
                let against = entry.long ? short : long
                opening = IR.and([condition, IR.not(against)])
                if entry.long { exitShort.append(IR.and([condition, against])) } else { exitLong.append(IR.and([condition, against])) }
            }
            if entry.long { entryLong.append(opening) } else { entryShort.append(opening) }
        }
        for close in closes {
            if let id = close.id {
                let matching = entries.filter { $0.id == id }
                guard !matching.isEmpty else {
                    let ids = Array(Set(entries.map(\.id))).sorted()
                    throw PineDiagnostic(
                        .argument, at: close.location, text: id,
                        "strategy.close(\"\(id)\") closes nothing: no entry has that id\(Suggestion.didYouMean(id, among: ids)) (ids: \(ids.map { "\"\($0)\"" }.joined(separator: ", ")))")
                }
                if matching.contains(where: \.long) { exitLong.append(close.condition) }
                if matching.contains(where: { !$0.long }) { exitShort.append(close.condition) }
            } else {
                exitLong.append(close.condition)
                exitShort.append(close.condition)
            }
        }
        var rules: [String: JSONValue] = [:]
        for (key, parts) in [("entry_long", entryLong), ("entry_short", entryShort), ("exit_long", exitLong), ("exit_short", exitShort)] where !parts.isEmpty {
            rules[key] = IR.or(parts)
        }

        var exitFields: [String: JSONValue] = [:]
        /// The sides an exit protects: its from_entry's entries, or both.
        func sides(_ exit: Exit) throws(PineDiagnostic) -> Set<Bool> {
            guard let id = exit.fromEntry else { return [true, false] }
            let matching = entries.filter { $0.id == id }
            guard !matching.isEmpty else {
                throw PineDiagnostic(.argument, at: exit.location, text: id, "strategy.exit's from_entry \"\(id)\" names no entry\(Suggestion.didYouMean(id, among: entries.map(\.id)))")
            }
            return Set(matching.map(\.long))
        }
        /// A level re-read every bar: the latest value a running strategy.exit gave it, for the
        /// side its from_entry names when every such exit names one side.
        func level(_ name: String, _ pick: (Exit) -> JSONValue?) throws(PineDiagnostic) -> JSONValue? {
            let setting = exits.compactMap { e in pick(e).map { (e, $0) } }
            guard !setting.isEmpty else { return nil }
            let state = compiler.uniqueName(name)
            var v = IR.previous(state, initial: IR.na)
            var covered: Set<Bool> = []
            for (exit, price) in setting {
                v = IR.choose(exit.condition, price, v)
                covered.formUnion(try sides(exit))
            }
            signals[state] = v
            var out: [String: JSONValue] = ["level": .string(state)]
            if covered.count == 1 { out["side"] = .string(covered.first! ? "long" : "short") }
            return .object(out)
        }
        func points(_ label: String, _ pick: (Exit) -> Double?) throws(PineDiagnostic) -> JSONValue? {
            let values = Set(exits.compactMap(pick))
            guard let first = values.first else { return nil }
            guard values.count == 1 else {
                throw PineDiagnostic(.unsupported, at: exits[0].location, text: label, "strategy.exit calls give different \(label) values; one \(label) for the strategy is supported")
            }
            return .object(["points": .number(first * PineBuiltins.mintick)])
        }
        if exits.contains(where: { $0.stop != nil }), exits.contains(where: { $0.lossTicks != nil }) {
            throw PineDiagnostic(.unsupported, at: exits[0].location, text: "strategy.exit", "mixing stop (a price) and loss (ticks) across strategy.exit calls is not supported; use one")
        }
        if exits.contains(where: { $0.limit != nil }), exits.contains(where: { $0.profitTicks != nil }) {
            throw PineDiagnostic(.unsupported, at: exits[0].location, text: "strategy.exit", "mixing limit (a price) and profit (ticks) across strategy.exit calls is not supported; use one")
        }
        let lossPoints = try points("loss", { $0.lossTicks }), profitPoints = try points("profit", { $0.profitTicks })
        for exit in exits { _ = try sides(exit) }
        exitFields["stop_loss"] = try level("exit_stop", { $0.stop }) ?? lossPoints
        exitFields["take_profit"] = try level("exit_limit", { $0.limit }) ?? profitPoints
        if case .object(var trailing)? = try points("trail_offset", { $0.trailOffsetTicks }) {
            let activations = Set(exits.filter { $0.trailOffsetTicks != nil }.compactMap(\.trailActivationTicks))
            guard activations.count == 1 else {
                throw PineDiagnostic(.unsupported, at: exits[0].location, text: "trail_points", "strategy.exit calls give different trail_points; one for the strategy is supported")
            }
            if activations.first! > 0 { trailing["activation"] = .number(activations.first! * PineBuiltins.mintick) }
            exitFields["trailing_stop"] = .object(trailing)
        }

        let quantities = Set(entries.map { $0.quantity?.jsonText ?? "default" })
        guard quantities.count == 1 else {
            throw PineDiagnostic(.unsupported, at: entries[0].location, text: "qty", "entries with different qty values are not supported yet; give every entry the same qty")
        }
        let sizing: JSONValue
        if let q = entries[0].quantity {
            sizing = .object(["model": .string("fixed_quantity"), "quantity": q])
        } else if d.quantityType == "strategy.percent_of_equity" {
            guard d.quantity <= 100 else { throw PineDiagnostic(.argument, at: d.location, text: "default_qty_value", "a percent of equity is at most 100") }
            sizing = .object(["model": .string("percent_equity"), "percent": .number(d.quantity)])
        } else if d.quantityType == "strategy.cash" {
            sizing = .object(["model": .string("fixed_cash"), "amount": .number(d.quantity)])
        } else {
            sizing = .object(["model": .string("fixed_quantity"), "quantity": .number(d.quantity)])
        }
        // Only the signals the rules and exits read, through others or through `previous`: a
        // variable's unused versions, loop counters and unused locals are not the strategy.
        let roots = Array(rules.values) + Array(exitFields.values)
        signals = Self.reachable(from: roots, in: signals)
        let json: JSONValue = .object([
            "version": .number(Double(StrategyDocument.currentVersion)),
            "name": .string(d.title),
            "description": .string("Compiled from Pine Script"),
            "parameters": .object(parameters),
            "signals": .object(signals),
            "rules": .object(rules),
            "exits": .object(exitFields.compactMapValues { $0 }),
            "sizing": sizing,
            "execution": .object([
                "fill": .string(d.processOrdersOnClose ? "close" : "next_open"), "fee_bps": .number(d.commissionPercent * 100),
                "slippage_ticks": .number(d.slippageTicks), "intrabar": .string("nearest_first"),
            ]),
            "pyramiding": .number(Double(max(1, d.pyramiding))),
        ])
        do {
            return try StrategyDocument(value: json)
        } catch {
            throw PineDiagnostic(.unsupported, at: d.location, text: "strategy", "the compiled strategy is refused: \(error)")
        }
    }
}

extension PineOrders {
    /// The signals `roots` name, directly or through one another, with their bodies.
    static func reachable(from roots: [JSONValue], in signals: [String: JSONValue]) -> [String: JSONValue] {
        var kept: [String: JSONValue] = [:]
        var pending = roots
        while let value = pending.popLast() {
            switch value {
            case .string(let name):
                if kept[name] == nil, let body = signals[name] {
                    kept[name] = body
                    pending.append(body)
                }
            case .array(let items): pending += items
            case .object(let fields): pending += fields.values
            case .null, .bool, .number: break
            }
        }
        return kept
    }
}
