/// The names Pine gives its built-ins, and what is refused.
enum PineBuiltins {
    /// Function signatures: Pine's parameter names in order, and how many are required.
    static let signatures: [String: (parameters: [String], required: Int)] = [
        "ta.sma": (["source", "length"], 2), "ta.ema": (["source", "length"], 2), "ta.rma": (["source", "length"], 2),
        "ta.wma": (["source", "length"], 2), "ta.vwma": (["source", "length"], 2), "ta.rsi": (["source", "length"], 2),
        "ta.macd": (["source", "fastlen", "slowlen", "siglen"], 4), "ta.bb": (["series", "length", "mult"], 3),
        "ta.bbw": (["series", "length", "mult"], 3), "ta.stoch": (["source", "high", "low", "length"], 4),
        "ta.cci": (["source", "length"], 2), "ta.mfi": (["series", "length"], 2), "ta.mom": (["source", "length"], 2),
        "ta.roc": (["source", "length"], 2), "ta.atr": (["length"], 1), "ta.tr": (["handle_na"], 0),
        "ta.highest": (["source", "length"], 1), "ta.lowest": (["source", "length"], 1),
        "ta.highestbars": (["source", "length"], 1), "ta.lowestbars": (["source", "length"], 1),
        "ta.crossover": (["source1", "source2"], 2), "ta.crossunder": (["source1", "source2"], 2), "ta.cross": (["source1", "source2"], 2),
        "ta.change": (["source", "length"], 1), "ta.rising": (["source", "length"], 2), "ta.falling": (["source", "length"], 2),
        "ta.stdev": (["source", "length", "biased"], 2), "ta.variance": (["source", "length", "biased"], 2),
        "ta.dmi": (["diLength", "adxSmoothing"], 2), "ta.supertrend": (["factor", "atrPeriod"], 2), "ta.sar": (["start", "inc", "max"], 3),
        "ta.pivothigh": (["source", "leftbars", "rightbars"], 2), "ta.pivotlow": (["source", "leftbars", "rightbars"], 2),
        "ta.barssince": (["condition"], 1), "ta.valuewhen": (["condition", "source", "occurrence"], 3), "ta.cum": (["source"], 1),
        "ta.vwap": (["source"], 1), "timestamp": (["year", "month", "day", "hour", "minute", "second"], 3),
        "nz": (["source", "replacement"], 1), "na": (["x"], 1), "fixnan": (["source"], 1),
        "math.abs": (["number"], 1), "math.sqrt": (["number"], 1), "math.log": (["number"], 1), "math.exp": (["number"], 1),
        "math.floor": (["number"], 1), "math.ceil": (["number"], 1), "math.round": (["number", "precision"], 1), "math.sign": (["number"], 1),
        "math.pow": (["base", "exponent"], 2), "math.log10": (["number"], 1),
        "int": (["x"], 1), "float": (["x"], 1), "bool": (["x"], 1),
        "input": (["defval", "title", "tooltip", "inline", "group", "confirm", "display"], 1),
        "input.int": (["defval", "title", "minval", "maxval", "step", "tooltip", "inline", "group", "confirm", "options", "display", "active"], 1),
        "input.float": (["defval", "title", "minval", "maxval", "step", "tooltip", "inline", "group", "confirm", "options", "display", "active"], 1),
        "input.bool": (["defval", "title", "tooltip", "inline", "group", "confirm", "display", "active"], 1),
        "input.string": (["defval", "title", "options", "tooltip", "inline", "group", "confirm", "display", "active"], 1),
        "input.source": (["defval", "title", "tooltip", "inline", "group", "display", "active"], 1),
        "strategy.entry": (["id", "direction", "qty", "limit", "stop", "oca_name", "oca_type", "comment", "alert_message", "when", "disable_alert"], 2),
        "strategy.order": (["id", "direction", "qty", "limit", "stop", "oca_name", "oca_type", "comment", "alert_message", "when", "disable_alert"], 2),
        "strategy.close": (["id", "comment", "qty", "qty_percent", "alert_message", "immediately", "when", "disable_alert"], 1),
        "strategy.close_all": (["comment", "alert_message", "immediately", "when", "disable_alert"], 0),
        "strategy.exit": ([
            "id", "from_entry", "qty", "qty_percent", "profit", "limit", "loss", "stop", "trail_price", "trail_points", "trail_offset",
            "oca_name", "comment", "comment_profit", "comment_loss", "comment_trailing", "alert_message", "alert_profit", "alert_loss",
            "alert_trailing", "when", "disable_alert",
        ], 1),
        "strategy.cancel": (["id", "when"], 1), "strategy.cancel_all": (["when"], 0),
    ]

    /// `math.max`, `math.min` and `math.avg` take two or more numbers.
    static let variadic: Set<String> = ["math.max", "math.min", "math.avg"]

    /// Calls that draw or notify: accepted and ignored.
    static let display: Set<String> = [
        "plot", "plotshape", "plotchar", "plotarrow", "plotcandle", "plotbar", "hline", "fill", "bgcolor", "barcolor", "alertcondition", "alert",
        "log.info", "log.warning", "log.error", "color.new", "color.rgb", "color.from_gradient",
    ]

    /// Namespaces and names Tradewind refuses, with why.
    static let unsupportedPrefixes: [(String, String)] = [
        ("request.", "other symbols and timeframes (request.*) are not supported: a strategy reads the bars it runs on"),
        ("array.", "arrays are not supported"), ("matrix.", "matrices are not supported"), ("map.", "maps are not supported"),
        ("table.", "tables are drawings; they are not supported"), ("label.", "labels are drawings; they are not supported"),
        ("line.", "lines are drawings; they are not supported"), ("box.", "boxes are drawings; they are not supported"),
        ("polyline.", "drawings are not supported"), ("linefill.", "drawings are not supported"),
        ("strategy.risk.", "strategy.risk.* is not supported; the risk service's limits apply to every bot"),
        ("str.", "string functions are not supported"), ("timeframe.", "timeframe.* is not supported"), ("ticker.", "ticker.* is not supported"),
        ("syminfo.", "syminfo.* is not supported except syminfo.mintick"),
        ("time_close", "time_close is not supported: a bar's close time depends on its session; use time (its open)"),
        ("timenow", "timenow is not supported: a backtest has no wall clock"), ("time_tradingday", "time_tradingday is not supported"),
        ("second", "second is not supported: bars are at least a minute"), ("weekofyear", "weekofyear is not supported"),
        ("session.", "session.* is not supported"),
    ]

    /// Built-in variables a script may read.
    static let variableNames = [
        "open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4", "hlcc4", "bar_index", "na", "ta.tr", "ta.obv", "ta.vwap",
        "time", "year", "month", "dayofmonth", "dayofweek", "hour", "minute",
        "strategy.position_size", "strategy.position_avg_price", "strategy.equity", "strategy.opentrades", "strategy.long", "strategy.short",
        "strategy.fixed", "strategy.cash", "strategy.percent_of_equity", "strategy.commission.percent", "strategy.commission.cash_per_order",
        "strategy.commission.cash_per_contract", "math.pi", "math.e", "syminfo.mintick", "true", "false",
    ]

    static var functionNames: [String] { Array(signatures.keys) + Array(variadic) + Array(display) + ["strategy", "indicator"] }

    /// Names people reach for that Pine spells differently.
    static let aliases = ["ta.smma": "ta.rma", "ta.stddev": "ta.stdev", "ta.crossabove": "ta.crossover", "ta.crossbelow": "ta.crossunder"]

    /// Names a script cannot declare.
    static func isReserved(_ name: String) -> Bool {
        ["open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4", "hlcc4", "bar_index", "na", "time"].contains(name)
    }

    /// The price-source names the strategy language's indicators read directly.
    static let prices: Set<String> = ["open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4"]

    /// What `input.source` offers, in this order (its parameter is the index).
    static let sources = ["open", "high", "low", "close", "hl2", "hlc3", "ohlc4", "hlcc4", "volume"]

    /// A tick: the strategy language's default price grid (0.01) unless the document names one.
    static let mintick = 0.01
}

/// Built-in variables and calls.
extension PineScriptCompiler {
    mutating func builtinVariable(_ name: String, at e: PineExpr) throws(PineDiagnostic) -> PineValue? {
        func series(_ ir: JSONValue, _ type: PineValue.PineType = .float) -> PineValue { PineValue(ir, type, .series) }
        switch name {
        case "open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4": return series(.string(name))
        case "hlcc4": return series(IR.binary("/", IR.binary("+", IR.binary("+", .string("high"), .string("low")), IR.binary("*", .number(2), .string("close"))), .number(4)))
        case "bar_index": return series(.string("bar_index"), .int)
        case "time": return series(.string("time"), .int)
        case "year", "month", "dayofmonth", "dayofweek", "hour", "minute": return series(.object(["time": .string(name)]), .int)
        case "dayofweek.sunday", "dayofweek.monday", "dayofweek.tuesday", "dayofweek.wednesday", "dayofweek.thursday", "dayofweek.friday",
            "dayofweek.saturday":
            let days = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
            return .number(Double(days.firstIndex(of: String(name.dropFirst("dayofweek.".count)))! + 1), integer: true)
        case "ta.vwap": return series(vwap(.string("hlc3")))
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "math.pi": return .number(Double.pi, integer: false)
        case "math.e": return .number(2.718281828459045, integer: false)
        case "syminfo.mintick": return .number(PineBuiltins.mintick, integer: false)
        case "ta.tr": return series(trueRange(handleNA: false))
        case "ta.obv":
            return series(cumulative(IR.binary("*", IR.function("sign", [change(.string("close"), .number(1))]), .string("volume"))))
        case "strategy.position_size": return series(.object(["position": .string("quantity")]))
        case "strategy.position_avg_price": return series(.object(["position": .string("entry_price")]))
        case "strategy.equity": return series(.object(["position": .string("equity")]))
        case "strategy.opentrades": return series(.object(["position": .string("open_entries")]), .int)
        case "strategy.long", "strategy.short", "strategy.fixed", "strategy.cash", "strategy.percent_of_equity", "strategy.commission.percent",
            "strategy.commission.cash_per_order", "strategy.commission.cash_per_contract":
            return .string(name)
        default:
            if name.hasPrefix("color.") { return PineValue(.null, .color, .const) }
            if name.hasPrefix("shape.") || name.hasPrefix("location.") || name.hasPrefix("size.") || name.hasPrefix("plot.style") || name.hasPrefix("display.")
                || name.hasPrefix("hline.style") || name.hasPrefix("xloc.") || name.hasPrefix("yloc.") || name.hasPrefix("extend.")
                || name.hasPrefix("alert.freq") || name.hasPrefix("format.") || name.hasPrefix("position.") || name.hasPrefix("currency.")
                || name.hasPrefix("scale.") || name.hasPrefix("barmerge.") || name.hasPrefix("strategy.oca.") || name.hasPrefix("strategy.direction.")
            {
                return .string(name)
            }
            try refuseUnsupported(name, at: e)
            return nil
        }
    }

    func refuseUnsupported(_ name: String, at e: PineExpr) throws(PineDiagnostic) {
        for (prefix, why) in PineBuiltins.unsupportedPrefixes where name == prefix || (prefix.hasSuffix(".") && name.hasPrefix(prefix)) {
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name): \(why)")
        }
    }

    mutating func builtinCall(_ name: String, _ args: [PineArgument], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        if PineBuiltins.display.contains(name) {
            if name.hasPrefix("color.") { return PineValue(.null, .color, .const) }
            warn("display:" + name, at: e.location, text: name, "\(name) is a display call; it is accepted and ignored")
            return .void
        }
        switch name {
        case "strategy": return try strategyDeclaration(args, at: e)
        case "indicator":
            throw PineDiagnostic(.notAStrategy, at: e.location, text: name, "this is an indicator() script; bots and backtests run strategy() scripts that place orders with strategy.entry")
        case "library":
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "libraries are not supported; paste the functions into the strategy")
        default: break
        }
        try refuseUnsupported(name, at: e)
        if PineBuiltins.variadic.contains(name) {
            guard args.count >= 2, args.allSatisfy({ $0.label == nil }) else {
                throw PineDiagnostic(.argument, at: e.location, text: name, "\(name) takes two or more numbers")
            }
            var values: [PineValue] = []
            for a in args { values.append(try number(a.value, of: name)) }
            return math(name, values)
        }
        guard let signature = PineBuiltins.signatures[name] else {
            throw PineDiagnostic(.unknownName, at: e.location, text: name, "\(name) is not a Pine function\(suggestion(name, variables: false))")
        }
        let bound = try bind(args, to: signature.parameters, required: signature.required, function: name, at: e)
        if name.hasPrefix("strategy.") { return try strategyCall(name, bound, at: e) }
        if name == "input" || name.hasPrefix("input.") { return try input(name, bound, at: e) }
        if name.hasPrefix("ta."), effectivePath != nil {
            warn(
                "conditional-ta", at: e.location, text: name,
                "\(name) is called inside an if or a function called there; Tradewind computes it on every bar (TradingView warns that such calls see only the bars the branch runs on)")
        }
        return try builtin(name, bound, at: e)
    }

    /// A numeric argument.
    mutating func number(_ e: PineExpr, of function: String) throws(PineDiagnostic) -> PineValue {
        let v = try value(e)
        guard v.type.isNumeric || isNA(v) else { throw typeError(v, "a number", at: e, what: "argument of \(function)") }
        return v
    }

    /// A length: a simple int known when the strategy compiles (a literal or an input).
    func length(_ v: PineValue, at e: PineExpr, of function: String, minimum: Double = 1) throws(PineDiagnostic) -> JSONValue {
        guard v.type == .int, v.qualifier <= .simple else {
            throw PineDiagnostic(.type, at: e.location, text: e.text, "cannot use \(v.typeName) where simple int is required (length of \(function))")
        }
        if let p = v.parameter { return .string(p) }
        guard let c = v.constant, v.qualifier == .const else {
            throw PineDiagnostic(
                .unsupported, at: e.location, text: e.text,
                "the length of \(function) must be a literal or an input itself, not computed from one; declare an input for it")
        }
        guard c >= minimum, c <= 10_000 else { throw PineDiagnostic(.argument, at: e.location, text: e.text, "the length of \(function) is \(c); give \(Int(minimum)) to 10,000") }
        return .number(c)
    }

    /// A literal length (for built-ins unrolled into one term per bar).
    func literalLength(_ ir: JSONValue, at e: PineExpr, of function: String) throws(PineDiagnostic) -> Int {
        guard case .number(let n) = ir else {
            throw PineDiagnostic(.unsupported, at: e.location, text: e.text, "\(function) over a computed series takes a literal length, not an input (it is unrolled)")
        }
        guard n <= 500 else { throw PineDiagnostic(.unsupported, at: e.location, text: e.text, "\(function) over a computed series is unrolled; its length is at most 500") }
        return Int(n)
    }

    func math(_ name: String, _ values: [PineValue]) -> PineValue {
        let qualifier = values.map(\.qualifier).max()!
        let integer = name != "math.avg" && values.allSatisfy { $0.type == .int }
        let constants = values.compactMap(\.constant)
        if constants.count == values.count, qualifier == .const {
            let r: Double =
                switch name {
                case "math.max": constants.contains(where: \.isNaN) ? .nan : constants.max()!
                case "math.min": constants.contains(where: \.isNaN) ? .nan : constants.min()!
                default: constants.reduce(0, +) / Double(constants.count)
                }
            return .number(r, integer: integer)
        }
        let ir: JSONValue =
            switch name {
            case "math.max": IR.function("max", values.map(\.ir))
            case "math.min": IR.function("min", values.map(\.ir))
            default: IR.binary("/", values.dropFirst().reduce(values[0].ir) { IR.binary("+", $0, $1.ir) }, .number(Double(values.count)))
            }
        return PineValue(ir, integer ? .int : .float, qualifier)
    }
}
