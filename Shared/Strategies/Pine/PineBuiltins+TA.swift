import TradingCore

/// `ta.*`, `math.*`, `nz`/`na`/`fixnan` and casts, each by Pine's own definition (the reference
/// implementations in TradingView's Pine v5 reference manual). Where the source is a price and
/// TradingView's definition equals the TA-Lib catalogue's (`ta.sma`, `ta.ema`, `ta.wma`,
/// `ta.stdev`, `ta.cci` on hlc3), the catalogue indicator is used: the same numbers, computed in
/// batch. Otherwise the definition is written in the strategy language over the series.
///
/// Differences from TA-Lib that follow Pine: `ta.atr` is the RMA of the true range with the first
/// bar's range counted (TA-Lib skips it), `ta.rsi` is 100 where no bar fell (TA-Lib's is 0 on a
/// flat series), `ta.rma`/`ta.ema` over a computed series seed with the SMA of its first
/// `length` known values.
extension PineScriptCompiler {
    mutating func builtin(_ name: String, _ args: [PineArgument?], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        func arg(_ k: Int) -> PineExpr? { args[k]?.value }
        func num(_ k: Int) throws(PineDiagnostic) -> PineValue { try number(arg(k)!, of: name) }
        func len(_ k: Int) throws(PineDiagnostic) -> JSONValue { try length(try value(arg(k)!), at: arg(k)!, of: name) }
        func series(_ ir: JSONValue, _ type: PineValue.PineType = .float) -> PineValue { PineValue(ir, type, .series) }
        func tuple(_ items: [JSONValue]) -> PineValue { PineValue(.null, .tuple(items.map { series($0) }), .series) }
        switch name {
        case "ta.sma": return series(try sma(try num(0), try len(1)))
        case "ta.ema": return series(try ema(try num(0), try len(1)))
        case "ta.rma": return series(rma(try num(0).ir, try len(1)))
        case "ta.wma": return series(try wma(try num(0), try len(1), at: arg(1)!))
        case "ta.vwma":
            let x = try num(0), n = try len(1)
            return series(IR.binary("/", sum(IR.binary("*", x.ir, .string("volume")), n), sum(.string("volume"), n)))
        case "ta.rsi": return series(rsi(try num(0).ir, try len(1)))
        case "ta.macd":
            let x = try num(0)
            let fast = try ema(x, try len(1)), slow = try ema(x, try len(2))
            let macd = define("macd", IR.binary("-", fast, slow))
            let signal = define("macd_signal", try ema(PineValue(macd, .float, .series), try len(3)))
            return tuple([macd, signal, IR.binary("-", macd, signal)])
        case "ta.bb", "ta.bbw":
            let x = try num(0), n = try len(1), mult = try num(2)
            let basis = define("bb_basis", try sma(x, n))
            let dev = IR.binary("*", mult.ir, try stdev(x, n, biased: true))
            let upper = IR.binary("+", basis, dev), lower = IR.binary("-", basis, dev)
            if name == "ta.bbw" { return series(IR.binary("/", IR.binary("-", upper, lower), basis)) }
            return tuple([basis, upper, lower])
        case "ta.stoch":
            let x = try num(0), h = try num(1), l = try num(2), n = try len(3)
            let lowest = IR.window("lowest", l.ir, n)
            return series(IR.binary("*", .number(100), IR.binary("/", IR.binary("-", x.ir, lowest), IR.binary("-", IR.window("highest", h.ir, n), lowest))))
        case "ta.cci":
            let x = try num(0), n = try len(1)
            if case .string("hlc3") = x.ir { return series(.object(["indicator": .string("cci"), "period": n])) }
            let count = try literalLength(n, at: arg(1)!, of: name)
            let mean = define("cci_mean", IR.binary("/", sum(x.ir, n), n))
            var deviation = IR.function("abs", [IR.binary("-", x.ir, mean)])
            for k in 1..<max(1, count) { deviation = IR.binary("+", deviation, IR.function("abs", [IR.binary("-", IR.window("ago", x.ir, .number(Double(k))), mean)])) }
            return series(IR.binary("/", IR.binary("-", x.ir, mean), IR.binary("*", .number(0.015), IR.binary("/", deviation, n))))
        case "ta.mfi":
            let x = try num(0), n = try len(1)
            let moved = define("mfi_change", change(x.ir, .number(1)))
            let up = sum(IR.binary("*", .string("volume"), IR.choose(IR.binary("<=", moved, .number(0)), .number(0), x.ir)), n)
            let down = sum(IR.binary("*", .string("volume"), IR.choose(IR.binary(">=", moved, .number(0)), .number(0), x.ir)), n)
            return series(IR.binary("-", .number(100), IR.binary("/", .number(100), IR.binary("+", .number(1), IR.binary("/", up, down)))))
        case "ta.mom": return series(change(try num(0).ir, try len(1)))
        case "ta.roc":
            let x = try num(0), n = try len(1)
            let back = IR.window("ago", x.ir, n)
            return series(IR.binary("*", .number(100), IR.binary("/", IR.binary("-", x.ir, back), back)))
        case "ta.atr": return series(rma(define("tr", trueRange(handleNA: true)), try len(0)))
        case "ta.tr":
            let handle = try arg(0).map { a throws(PineDiagnostic) in try value(a) }
            return series(trueRange(handleNA: handle?.constant == 1))
        case "ta.highest", "ta.lowest", "ta.highestbars", "ta.lowestbars":
            let high = name == "ta.highest" || name == "ta.highestbars"
            let (x, n): (PineValue, JSONValue)
            let lengthExpr: PineExpr
            if let second = arg(1) {
                x = try num(0)
                lengthExpr = second
            } else {
                x = series(.string(high ? "high" : "low"))
                lengthExpr = arg(0)!
            }
            n = try length(try value(lengthExpr), at: lengthExpr, of: name)
            if name.hasSuffix("bars") { return series(try extremeOffset(x.ir, n, high: high, at: lengthExpr, of: name), .int) }
            return series(IR.window(high ? "highest" : "lowest", x.ir, n))
        case "ta.crossover", "ta.crossunder":
            let a = try num(0), b = try num(1)
            return series(IR.binary(name == "ta.crossover" ? "crosses_above" : "crosses_below", a.ir, b.ir), .bool)
        case "ta.cross":
            let a = try num(0), b = try num(1)
            return series(IR.or([IR.binary("crosses_above", a.ir, b.ir), IR.binary("crosses_below", a.ir, b.ir)]), .bool)
        case "ta.change":
            let x = try num(0)
            let n = try arg(1).map { a throws(PineDiagnostic) in try length(try value(a), at: a, of: name) } ?? .number(1)
            return series(change(x.ir, n), x.type)
        case "ta.rising", "ta.falling":
            let x = try num(0), n = try len(1)
            let before = IR.window(name == "ta.rising" ? "highest" : "lowest", IR.window("ago", x.ir, .number(1)), n)
            return series(IR.binary(name == "ta.rising" ? ">" : "<", x.ir, before), .bool)
        case "ta.stdev", "ta.variance":
            let x = try num(0), n = try len(1)
            let biased = try arg(2).map { a throws(PineDiagnostic) in try value(a).constant != 0 } ?? true
            if name == "ta.variance" { return series(variance(x.ir, n, biased: biased)) }
            return series(try stdev(x, n, biased: biased))
        case "ta.dmi", "ta.supertrend", "ta.sar":
            return try prelude(name, args, at: e)
        case "ta.pivothigh", "ta.pivotlow":
            let high = name == "ta.pivothigh"
            let x: JSONValue
            let (leftExpr, rightExpr): (PineExpr, PineExpr)
            if let third = arg(2) {
                x = try num(0).ir
                (leftExpr, rightExpr) = (arg(1)!, third)
            } else {
                x = .string(high ? "high" : "low")
                (leftExpr, rightExpr) = (arg(0)!, arg(1)!)
            }
            let left = try length(try value(leftExpr), at: leftExpr, of: name), right = try length(try value(rightExpr), at: rightExpr, of: name)
            let center = define("pivot_center", IR.window("ago", x, right))
            let window = high ? "highest" : "lowest", op = high ? ">" : "<"
            let beats = IR.and([
                IR.binary(op, center, IR.window(window, IR.window("ago", IR.window("ago", x, right), .number(1)), left)),
                IR.binary(op, center, IR.window(window, x, right)),
            ])
            return series(IR.choose(beats, center, IR.na))
        case "ta.barssince":
            let c = try condition(arg(0)!, what: "the condition of ta.barssince")
            let state = uniqueName("barssince")
            signals[state] = IR.choose(c.ir, .number(0), IR.binary("+", IR.previous(state, initial: IR.na), .number(1)))
            return series(.string(state), .int)
        case "ta.valuewhen":
            let c = try condition(arg(0)!, what: "the condition of ta.valuewhen")
            let x = try num(1)
            let occurrence = try value(arg(2)!)
            guard occurrence.type == .int, let k = occurrence.constant, occurrence.qualifier == .const, k >= 0, k <= 100 else {
                throw PineDiagnostic(.unsupported, at: arg(2)!.location, text: arg(2)!.text, "the occurrence of ta.valuewhen must be a literal from 0 to 100")
            }
            // Occurrence k: the value the (k − 1)th kept before this true bar replaced it.
            var newer = x.ir
            var state = ""
            for _ in 0...Int(k) {
                state = uniqueName("valuewhen")
                signals[state] = IR.choose(c.ir, newer, IR.previous(state, initial: IR.na))
                newer = IR.previous(state, initial: IR.na)
            }
            return series(.string(state), x.type)
        case "ta.cum": return series(cumulative(try num(0).ir))
        case "ta.vwap": return series(vwap(try num(0).ir))
        case "timestamp":
            var parts: [Int64] = []
            for k in 0..<6 {
                guard let expr = arg(k) else {
                    parts.append(0)
                    continue
                }
                let v = try value(expr)
                guard v.type == .int, let c = v.constant, v.qualifier == .const else {
                    throw PineDiagnostic(.unsupported, at: expr.location, text: expr.text, "timestamp takes literal numbers (year, month, day[, hour, minute, second]) in UTC")
                }
                parts.append(Int64(c))
            }
            guard (1...12).contains(parts[1]), (1...31).contains(parts[2]), (1...9999).contains(parts[0]) else {
                throw PineDiagnostic(.argument, at: e.location, text: name, "timestamp(\(parts[0]), \(parts[1]), \(parts[2])) is not a date")
            }
            return .number(Double(Self.unixMillis(year: parts[0], month: parts[1], day: parts[2]) + ((parts[3] * 60 + parts[4]) * 60 + parts[5]) * 1000), integer: true)
        case "nz":
            let x = try value(arg(0)!)
            let replacement = try arg(1).map { a throws(PineDiagnostic) in try number(a, of: name) } ?? .number(0, integer: x.type == .int)
            if let c = x.constant, x.qualifier == .const { return c.isNaN ? replacement : x }
            return PineValue(IR.choose(IR.isNA(x.ir), replacement.ir, x.ir), x.type == .int && replacement.type == .int ? .int : x.type, max(x.qualifier, replacement.qualifier))
        case "na":
            let x = try value(arg(0)!)
            if let c = x.constant, x.qualifier == .const { return .bool(c.isNaN) }
            return PineValue(IR.isNA(x.ir), .bool, x.qualifier)
        case "fixnan":
            let x = try num(0)
            let state = uniqueName("fixnan")
            signals[state] = IR.choose(IR.isNA(x.ir), IR.previous(state, initial: IR.na), x.ir)
            return series(.string(state), x.type)
        case "math.round":
            let x = try num(0)
            if let p = arg(1) {
                let digits = try value(p)
                guard let d = digits.constant, digits.qualifier == .const else { throw PineDiagnostic(.unsupported, at: p.location, text: p.text, "the precision of math.round must be a literal") }
                let scale = Self.powerOfTen(d)
                return PineValue(IR.binary("/", IR.function("round", [IR.binary("*", x.ir, .number(scale))]), .number(scale)), .float, x.qualifier)
            }
            return unaryMath("round", x, integer: true)
        case "math.abs": let x = try num(0); return unaryMath("abs", x, integer: x.type == .int)
        case "math.sqrt", "math.log", "math.exp": return unaryMath(String(name.dropFirst(5)), try num(0), integer: false)
        case "math.log10": let x = try num(0); return PineValue(IR.binary("/", IR.function("log", [x.ir]), .number(2.302585092994046)), .float, x.qualifier)
        case "math.floor", "math.ceil", "math.sign": return unaryMath(String(name.dropFirst(5)), try num(0), integer: name != "math.sign")
        case "math.pow":
            let a = try num(0), b = try num(1)
            return PineValue(IR.function("pow", [a.ir, b.ir]), .float, max(a.qualifier, b.qualifier))
        case "int":
            let x = try num(0)
            if let c = x.constant, x.qualifier == .const { return .number(c.isNaN ? c : c.rounded(.towardZero), integer: true) }
            return PineValue(IR.choose(IR.binary(">=", x.ir, .number(0)), IR.function("floor", [x.ir]), IR.function("ceil", [x.ir])), .int, x.qualifier)
        case "float":
            var x = try num(0)
            x.type = .float
            return x
        case "bool":
            let x = try num(0)
            return PineValue(IR.binary("!=", x.ir, .number(0)), .bool, x.qualifier)
        default:
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name) is not supported")
        }
    }

    func unaryMath(_ f: String, _ x: PineValue, integer: Bool) -> PineValue {
        PineValue(IR.function(f, [x.ir]), integer && x.type == .int || (integer && f != "abs") ? .int : .float, x.qualifier)
    }

    // MARK: Definitions

    /// 10^d for a literal precision d (0…15).
    static func powerOfTen(_ d: Double) -> Double {
        var r = 1.0
        for _ in 0..<Int(max(0, min(d, 15))) { r *= 10 }
        return r
    }

    /// Milliseconds since 1970-01-01 at midnight UTC of a civil date.
    static func unixMillis(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilDate.days(fromYear: Int(year), month: Int(month), day: Int(day))) * 86_400_000
    }

    /// `ta.vwap`: the volume-weighted average since the session began, a session being a UTC day
    /// (TradingView's is the exchange's session; for 24-hour markets the same day in UTC).
    mutating func vwap(_ x: JSONValue) -> JSONValue {
        let day = JSONValue.object(["time": .string("dayofmonth")])
        let yesterday = IR.window("ago", day, .number(1))
        let newSession = define("vwap_new_session", IR.or([IR.isNA(yesterday), IR.binary("!=", day, yesterday)]))
        let weighted = uniqueName("vwap_price_volume"), volume = uniqueName("vwap_volume")
        let pv = IR.binary("*", x, .string("volume"))
        signals[weighted] = IR.choose(newSession, pv, IR.binary("+", IR.previous(weighted, initial: IR.na), pv))
        signals[volume] = IR.choose(newSession, .string("volume"), IR.binary("+", IR.previous(volume, initial: IR.na), .string("volume")))
        return IR.binary("/", .string(weighted), .string(volume))
    }

    func sum(_ x: JSONValue, _ n: JSONValue) -> JSONValue { IR.window("sum", x, n) }
    func change(_ x: JSONValue, _ n: JSONValue) -> JSONValue { IR.binary("-", x, IR.window("ago", x, n)) }

    /// The catalogue's name for a plain price (which its indicators read directly), else nil.
    func price(_ v: PineValue) -> String? {
        if case .string(let s) = v.ir, PineBuiltins.prices.contains(s) { return s }
        return nil
    }

    func catalogue(_ indicator: String, _ source: String, _ n: JSONValue, extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = ["indicator": .string(indicator), "period": n]
        if source != "close" { o["source"] = .string(source) }
        return .object(o.merging(extra) { a, _ in a })
    }

    mutating func sma(_ x: PineValue, _ n: JSONValue) throws(PineDiagnostic) -> JSONValue {
        if let p = price(x), n != .number(1) { return catalogue("sma", p, n) }
        return IR.binary("/", sum(x.ir, n), n)
    }

    /// TradingView's EMA seeds with the SMA of the first `length` values, as TA-Lib's does.
    mutating func ema(_ x: PineValue, _ n: JSONValue) throws(PineDiagnostic) -> JSONValue {
        if let p = price(x), n != .number(1) { return catalogue("ema", p, n) }
        return smoothed(x.ir, alpha: IR.binary("/", .number(2), IR.binary("+", n, .number(1))), n, name: "ema")
    }

    /// `ta.rma`: alpha 1/length, seeded with the SMA of the first `length` values.
    mutating func rma(_ x: JSONValue, _ n: JSONValue) -> JSONValue {
        smoothed(x, alpha: IR.binary("/", .number(1), n), n, name: "rma")
    }

    /// `s := na(s[1]) ? sma(x, n) : alpha * x + (1 - alpha) * s[1]`.
    mutating func smoothed(_ x: JSONValue, alpha: JSONValue, _ n: JSONValue, name: String) -> JSONValue {
        let state = uniqueName(name)
        let before = IR.previous(state, initial: IR.na)
        let a = define(name + "_alpha", alpha)
        signals[state] = IR.choose(
            IR.isNA(before), IR.binary("/", sum(x, n), n),
            IR.binary("+", IR.binary("*", a, x), IR.binary("*", IR.binary("-", .number(1), a), before)))
        return .string(state)
    }

    mutating func wma(_ x: PineValue, _ n: JSONValue, at e: PineExpr) throws(PineDiagnostic) -> JSONValue {
        if let p = price(x), n != .number(1) { return catalogue("wma", p, n) }
        let count = try literalLength(n, at: e, of: "ta.wma")
        var total = IR.binary("*", .number(Double(count)), x.ir)
        for k in 1..<max(1, count) { total = IR.binary("+", total, IR.binary("*", .number(Double(count - k)), IR.window("ago", x.ir, .number(Double(k))))) }
        return IR.binary("/", total, .number(Double(count * (count + 1) / 2)))
    }

    /// Pine's `ta.rsi`: RMAs of the rises and falls; 100 where nothing fell, 0 where nothing rose.
    mutating func rsi(_ x: JSONValue, _ n: JSONValue) -> JSONValue {
        let moved = define("rsi_change", change(x, .number(1)))
        let up = define("rsi_up", rma(IR.function("max", [moved, .number(0)]), n))
        let down = define("rsi_down", rma(IR.function("max", [IR.binary("-", .number(0), moved), .number(0)]), n))
        return IR.choose(
            IR.binary("==", down, .number(0)), IR.choose(IR.isNA(up), IR.na, .number(100)),
            IR.choose(IR.binary("==", up, .number(0)), .number(0),
                IR.binary("-", .number(100), IR.binary("/", .number(100), IR.binary("+", .number(1), IR.binary("/", up, down))))))
    }

    func variance(_ x: JSONValue, _ n: JSONValue, biased: Bool) -> JSONValue {
        let mean = IR.binary("/", sum(x, n), n)
        let population = IR.function("max", [IR.binary("-", IR.binary("/", sum(IR.binary("*", x, x), n), n), IR.binary("*", mean, mean)), .number(0)])
        return biased ? population : IR.binary("*", population, IR.binary("/", n, IR.binary("-", n, .number(1))))
    }

    mutating func stdev(_ x: PineValue, _ n: JSONValue, biased: Bool) throws(PineDiagnostic) -> JSONValue {
        if biased, let p = price(x), n != .number(1) { return catalogue("stddev", p, n, extra: ["nbdev": .number(1)]) }
        return IR.function("sqrt", [variance(x.ir, n, biased: biased)])
    }

    /// Pine's true range: na on the first bar unless `handleNA` (then the bar's range).
    func trueRange(handleNA: Bool) -> JSONValue {
        let previousClose = IR.window("ago", .string("close"), .number(1))
        let range = IR.binary("-", .string("high"), .string("low"))
        let full = IR.function("max", [
            range, IR.function("abs", [IR.binary("-", .string("high"), previousClose)]), IR.function("abs", [IR.binary("-", .string("low"), previousClose)]),
        ])
        return handleNA ? IR.choose(IR.isNA(previousClose), range, full) : full
    }

    /// `ta.cum`: the running total, na values counted as 0.
    mutating func cumulative(_ x: JSONValue) -> JSONValue {
        let state = uniqueName("cum")
        let before = IR.previous(state, initial: .number(0))
        signals[state] = IR.binary("+", before, IR.choose(IR.isNA(x), .number(0), x))
        return .string(state)
    }

    /// `ta.highestbars` / `ta.lowestbars`: minus the bars back to the extreme (the most recent on ties).
    mutating func extremeOffset(_ x: JSONValue, _ n: JSONValue, high: Bool, at e: PineExpr, of function: String) throws(PineDiagnostic) -> JSONValue {
        let count: Int
        if case .number(let c) = n { count = Int(c) } else { count = try literalLength(n, at: e, of: function) }
        guard count <= 500 else { throw PineDiagnostic(.unsupported, at: e.location, text: e.text, "\(function) is unrolled; its length is at most 500") }
        var best = x, offset: JSONValue = .number(0)
        for k in 1..<max(1, count) {
            let candidate = IR.window("ago", x, .number(Double(k)))
            let better = define("extreme_better", IR.binary(high ? ">" : "<", candidate, best))
            offset = define("extreme_offset", IR.choose(better, .number(Double(-k)), offset))
            best = define("extreme_value", IR.choose(better, candidate, best))
        }
        // Not known until the window is full, as ta.highest.
        return IR.choose(IR.isNA(IR.window("ago", x, .number(Double(count - 1)))), IR.na, offset)
    }
}
