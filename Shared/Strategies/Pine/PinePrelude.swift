/// The built-ins whose Pine definitions are themselves stateful scripts, written in Pine as
/// TradingView's reference manual defines them (`ta.dmi`, `ta.supertrend`, `ta.sar`) and inlined
/// at each call like a user function, so each call site keeps its own state.
enum PinePrelude {
    static let source = """
        //@version=6
        ta_dmi(diLength, adxSmoothing) =>
            up = ta.change(high)
            down = -ta.change(low)
            plusDM = na(up) ? na : (up > down and up > 0 ? up : 0)
            minusDM = na(down) ? na : (down > up and down > 0 ? down : 0)
            trur = ta.rma(ta.tr, diLength)
            plus = fixnan(100 * ta.rma(plusDM, diLength) / trur)
            minus = fixnan(100 * ta.rma(minusDM, diLength) / trur)
            total = plus + minus
            adx = 100 * ta.rma(math.abs(plus - minus) / (total == 0 ? 1 : total), adxSmoothing)
            [plus, minus, adx]

        ta_supertrend(factor, atrPeriod) =>
            src = hl2
            atr = ta.atr(atrPeriod)
            upperBand = src + factor * atr
            lowerBand = src - factor * atr
            prevLowerBand = nz(lowerBand[1])
            prevUpperBand = nz(upperBand[1])
            lowerBand := lowerBand > prevLowerBand or close[1] < prevLowerBand ? lowerBand : prevLowerBand
            upperBand := upperBand < prevUpperBand or close[1] > prevUpperBand ? upperBand : prevUpperBand
            int direction = na
            float superTrend = na
            prevSuperTrend = superTrend[1]
            if na(atr[1])
                direction := 1
            else if prevSuperTrend == prevUpperBand
                direction := close > upperBand ? -1 : 1
            else
                direction := close < lowerBand ? 1 : -1
            superTrend := direction == -1 ? lowerBand : upperBand
            [superTrend, direction]

        ta_sar(start, inc, maximum) =>
            var float result = na
            var float maxMin = na
            var float acceleration = na
            var bool isBelow = false
            bool isFirstTrendBar = false
            if bar_index == 1
                if close > close[1]
                    isBelow := true
                    maxMin := high
                    result := low[1]
                else
                    isBelow := false
                    maxMin := low
                    result := high[1]
                isFirstTrendBar := true
                acceleration := start
            result := result + acceleration * (maxMin - result)
            if isBelow
                if result > low
                    isFirstTrendBar := true
                    isBelow := false
                    result := math.max(high, maxMin)
                    maxMin := low
                    acceleration := start
            else
                if result < high
                    isFirstTrendBar := true
                    isBelow := true
                    result := math.min(low, maxMin)
                    maxMin := high
                    acceleration := start
            if not isFirstTrendBar
                if isBelow
                    if high > maxMin
                        maxMin := high
                        acceleration := math.min(acceleration + inc, maximum)
                else
                    if low < maxMin
                        maxMin := low
                        acceleration := math.min(acceleration + inc, maximum)
            if isBelow
                result := math.min(result, low[1])
                if bar_index > 1
                    result := math.min(result, low[2])
            else
                result := math.max(result, high[1])
                if bar_index > 1
                    result := math.max(result, high[2])
            result
        """

    /// The prelude's functions by the built-in's name (`ta.dmi`).
    static let functions: [String: PineFunction] = {
        do {
            let lexer = try PineLexer(source)
            var parser = PineParser(lexer.tokens)
            var out: [String: PineFunction] = [:]
            for s in try parser.script() {
                if case .function(let name, let parameters, let body) = s.kind {
                    out["ta." + name.dropFirst(3)] = PineFunction(parameters: parameters, body: body, location: s.location)
                }
            }
            return out
        } catch {
            fatalError("the Pine prelude does not parse: \(error)")
        }
    }()
}

extension PineScriptCompiler {
    /// A prelude built-in inlined at this call (its parameters named as Pine names them).
    mutating func prelude(_ name: String, _ args: [PineArgument?], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        guard let f = PinePrelude.functions[name] else { throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name) is not supported") }
        let positional = args.map { $0.map { PineArgument(label: nil, value: $0.value) } }
        guard positional.allSatisfy({ $0 != nil }) else { throw PineDiagnostic(.argument, at: e.location, text: name, "\(name) needs every argument") }
        return try inline(f, name: name, positional.map { $0! }, at: e)
    }
}
