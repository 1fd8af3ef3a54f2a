/// Expressions: names, operators with Pine's types and `na` propagation, history, calls.
extension PineScriptCompiler {
    mutating func value(_ e: PineExpr) throws(PineDiagnostic) -> PineValue {
        switch e.kind {
        case .number(let v, let integer): return .number(v, integer: integer)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .na: return .na
        case .color: return PineValue(.null, .color, .const)
        case .name(let name): return try self.name(name, at: e)
        case .call(let name, let args): return try call(name, args, at: e)
        case .history(let base, let offset): return try history(base, offset, at: e)
        case .unary(let op, let operand):
            let v = try value(operand)
            if op == "not" {
                try require(v, .bool, at: operand, what: "the operand of not")
                if let c = v.constant { return .bool(c == 0) }
                return PineValue(IR.not(v.ir), .bool, v.qualifier)
            }
            guard v.type.isNumeric else { throw typeError(v, "a number", at: operand, what: "the operand of \(op)") }
            if op == "+" { return v }
            if let c = v.constant { return .number(-c, integer: v.type == .int) }
            return PineValue(IR.binary("-", .number(0), v.ir), v.type, v.qualifier)
        case .binary(let op, let l, let r):
            let a = try value(l), b = try value(r)
            return try binary(op, a, b, left: l, right: r, at: e)
        case .ternary(let c, let a, let b):
            let condition = try value(c)
            try require(condition, .bool, at: c, what: "the condition of ?:")
            let x = try value(a), y = try value(b)
            let type = try unify(x, y, at: e.location, what: "the two values of ?:")
            if let k = condition.constant { return k == 1 ? x : y }
            return PineValue(IR.choose(condition.ir, x.ir, y.ir), type, max(condition.qualifier, x.qualifier, y.qualifier))
        case .tuple(let items):
            var values: [PineValue] = []
            for item in items { values.append(try value(item)) }
            return PineValue(.null, .tuple(values), .series)
        case .statement(let s):
            switch s.kind {
            case .branches(let branches, let otherwise): return try ifStatement(branches, otherwise, wantValue: true, at: s.location)
            case .choose(let subject, let cases): return try switchStatement(subject, cases, wantValue: true, at: s.location)
            default: throw PineDiagnostic(.syntax, at: s.location, text: s.text, "this statement has no value")
            }
        }
    }

    /// A bool-valued expression (`what` names where, for the message).
    mutating func condition(_ e: PineExpr, what: String) throws(PineDiagnostic) -> PineValue {
        let v = try value(e)
        try require(v, .bool, at: e, what: what)
        return v
    }

    func require(_ v: PineValue, _ type: PineValue.PineType, at e: PineExpr, what: String) throws(PineDiagnostic) {
        if v.type == type { return }
        if type == .float, v.type == .int { return }
        throw typeError(v, type == .bool ? "bool" : type.description, at: e, what: what)
    }

    func typeError(_ v: PineValue, _ wanted: String, at e: PineExpr, what: String) -> PineDiagnostic {
        var hint = ""
        if wanted == "bool", v.type.isNumeric { hint = "; compare it, e.g. \(e.text) > 0" }
        return PineDiagnostic(.type, at: e.location, text: e.text, "cannot use \(v.typeName) where \(wanted) is required (\(what))\(hint)")
    }

    /// The type two values share (int and float make float; na takes the other's).
    func unify(_ a: PineValue, _ b: PineValue, at location: PineLocation, what: String) throws(PineDiagnostic) -> PineValue.PineType {
        if isNA(a) { return b.type }
        if isNA(b) { return a.type }
        if a.type == b.type { return a.type }
        if a.type.isNumeric, b.type.isNumeric { return .float }
        throw PineDiagnostic(.type, at: location, text: "", "cannot mix \(a.type) and \(b.type) in \(what)")
    }

    func isNA(_ v: PineValue) -> Bool { v.qualifier == .const && v.constant?.isNaN == true }

    /// `value` as a declared or assigned type (`int`, `float`, `bool`…).
    func convert(_ v: PineValue, to type: String, at location: PineLocation, what: String) throws(PineDiagnostic) -> PineValue {
        if v.type.description == type { return v }
        if isNA(v) {
            switch type {
            case "int": return PineValue(IR.na, .int, .const, constant: .nan)
            case "float": return v
            case "bool": return .bool(false)
            default: return v
            }
        }
        if type == "float", v.type == .int {
            var out = v
            out.type = .float
            return out
        }
        throw PineDiagnostic(.type, at: location, text: "", "cannot use \(v.typeName) as \(type) (\(what))")
    }

    mutating func binary(_ op: String, _ a: PineValue, _ b: PineValue, left: PineExpr, right: PineExpr, at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        let qualifier = max(a.qualifier, b.qualifier)
        switch op {
        case "and", "or":
            try require(a, .bool, at: left, what: "the left side of \(op)")
            try require(b, .bool, at: right, what: "the right side of \(op)")
            if let x = a.constant, let y = b.constant { return .bool(op == "and" ? (x == 1 && y == 1) : (x == 1 || y == 1)) }
            return PineValue(op == "and" ? IR.and([a.ir, b.ir]) : IR.or([a.ir, b.ir]), .bool, qualifier)
        case "==", "!=":
            if a.type == .string || b.type == .string { return try stringEquality(op, a, b, at: e) }
            if a.type == .bool || b.type == .bool {
                guard a.type == b.type else { throw PineDiagnostic(.type, at: e.location, text: e.text, "cannot compare \(a.type) with \(b.type)") }
            } else {
                guard a.type.isNumeric, b.type.isNumeric else {
                    throw PineDiagnostic(.type, at: e.location, text: e.text, "cannot compare \(a.type) with \(b.type)")
                }
            }
            if let x = a.constant, let y = b.constant, !x.isNaN, !y.isNaN { return .bool(op == "==" ? x == y : x != y) }
            return PineValue(IR.binary(op, a.ir, b.ir), .bool, qualifier)
        case "<", "<=", ">", ">=":
            guard a.type.isNumeric else { throw typeError(a, "a number", at: left, what: "the left side of \(op)") }
            guard b.type.isNumeric else { throw typeError(b, "a number", at: right, what: "the right side of \(op)") }
            if let x = a.constant, let y = b.constant, !x.isNaN, !y.isNaN {
                let r: Bool =
                    switch op {
                    case "<": x < y
                    case "<=": x <= y
                    case ">": x > y
                    default: x >= y
                    }
                return .bool(r)
            }
            return PineValue(IR.binary(op, a.ir, b.ir), .bool, qualifier)
        default:
            return try arithmetic(op, a, b, at: e.location)
        }
    }

    /// `+ - * / %` on numbers (`+` also joins literal strings).
    func arithmetic(_ op: String, _ a: PineValue, _ b: PineValue, at location: PineLocation) throws(PineDiagnostic) -> PineValue {
        if op == "+", a.type == .string, b.type == .string {
            var out = PineValue.string((a.text ?? "") + (b.text ?? ""))
            out.qualifier = max(a.qualifier, b.qualifier)
            return out
        }
        guard a.type.isNumeric || isNA(a), b.type.isNumeric || isNA(b) else {
            throw PineDiagnostic(.type, at: location, text: op, "\(op) takes numbers; here it has \(a.type) and \(b.type)")
        }
        let integer = a.type == .int && b.type == .int && op != "/"
        let qualifier = max(a.qualifier, b.qualifier)
        if let x = a.constant, let y = b.constant {
            let r: Double =
                switch op {
                case "+": x + y
                case "-": x - y
                case "*": x * y
                case "/": y == 0 ? .nan : x / y
                default: y == 0 ? .nan : x.truncatingRemainder(dividingBy: y)
                }
            var out = PineValue.number(r, integer: integer)
            out.qualifier = qualifier
            if qualifier > .const { out.ir = IR.binary(op, a.ir, b.ir) }
            return out
        }
        return PineValue(IR.binary(op, a.ir, b.ir), integer ? .int : .float, qualifier)
    }

    /// String equality: literals compare now; an `input.string` compares by option index.
    func stringEquality(_ op: String, _ a: PineValue, _ b: PineValue, at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        guard a.type == .string, b.type == .string else {
            throw PineDiagnostic(.type, at: e.location, text: e.text, "cannot compare \(a.type) with \(b.type)")
        }
        if a.parameter == nil, b.parameter == nil {
            guard let x = a.text, let y = b.text else {
                throw PineDiagnostic(.unsupported, at: e.location, text: e.text, "strings that change from bar to bar are not supported")
            }
            return .bool((x == y) == (op == "=="))
        }
        let (input, literal) = a.parameter != nil ? (a, b) : (b, a)
        guard let options = input.options, let text = literal.text, literal.parameter == nil else {
            throw PineDiagnostic(.unsupported, at: e.location, text: e.text, "compare an input.string with options against one of its options")
        }
        guard let index = options.firstIndex(of: text) else {
            throw PineDiagnostic(
                .argument, at: e.location, text: e.text,
                "\"\(text)\" is not one of the input's options (\(options.map { "\"\($0)\"" }.joined(separator: ", ")))\(Suggestion.didYouMean(text, among: options))")
        }
        return PineValue(IR.binary(op, .string(input.parameter!), .number(Double(index))), .bool, .input)
    }

    /// `x[n]`: a variable's end-of-bar value n bars back, or any series' value.
    mutating func history(_ base: PineExpr, _ offsetExpr: PineExpr, at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        let offset = try value(offsetExpr)
        guard offset.type == .int else { throw typeError(offset, "int", at: offsetExpr, what: "the history offset") }
        let bars: JSONValue
        if let c = offset.constant, offset.qualifier == .const {
            guard c >= 0, c <= 10_000 else { throw PineDiagnostic(.argument, at: offsetExpr.location, text: offsetExpr.text, "a history offset is from 0 to 10,000 bars, not \(c)") }
            bars = .number(c)
        } else if let p = offset.parameter {
            bars = .string(p)
        } else {
            throw PineDiagnostic(
                .unsupported, at: offsetExpr.location, text: offsetExpr.text,
                "a history offset must be a literal or an input, not \(offset.typeName) (offsets that change from bar to bar are not supported)")
        }
        var v: PineValue
        if case .name(let name) = base.kind, let variable = lookup(name) {
            v = variable.value
            guard v.type.isNumeric || v.type == .bool else { throw typeError(v, "a number or a bool", at: base, what: "the [] operator") }
            if case .number(0) = bars { return v }
            // Through `previous`, so a variable whose value depends on its own past (x := x[1] + …)
            // is not a cycle.
            let last = IR.previous(variable.final, initial: variable.value.type == .bool ? .bool(false) : IR.na)
            if case .number(let n) = bars {
                v.ir = n == 1 ? last : IR.window("ago", last, .number(n - 1))
            } else {
                v.ir = IR.window("ago", .string(variable.final), bars)
            }
        } else {
            v = try value(base)
            if case .number(0) = bars { return v }
            guard v.type.isNumeric || v.type == .bool else { throw typeError(v, "a series", at: base, what: "the [] operator") }
            v.ir = IR.window("ago", v.ir, bars)
        }
        v.qualifier = .series
        v.constant = nil
        v.parameter = nil
        return v
    }

    mutating func name(_ name: String, at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        if let v = lookup(name) { return v.value }
        if let v = try builtinVariable(name, at: e) { return v }
        if functions[name] != nil || PineBuiltins.functionNames.contains(name) {
            throw PineDiagnostic(.syntax, at: e.location, text: name, "\(name) is a function; call it: \(name)(…)")
        }
        throw PineDiagnostic(.unknownName, at: e.location, text: name, "'\(name)' is not declared\(suggestion(name, variables: true))")
    }

    /// `; did you mean …?` among the names in scope and the built-ins.
    func suggestion(_ name: String, variables: Bool) -> String {
        var candidates = Array(functions.keys) + PineBuiltins.functionNames
        if variables { candidates += scopes.flatMap(\.keys) + PineBuiltins.variableNames }
        var near = Suggestion.nearest(name, among: candidates)
        if let alias = PineBuiltins.aliases[name], !near.contains(alias) { near.append(alias) }
        return near.isEmpty ? "" : "; did you mean " + near.prefix(2).joined(separator: " or ") + "?"
    }

    mutating func call(_ name: String, _ args: [PineArgument], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        if let f = functions[name] { return try inline(f, name: name, args, at: e) }
        return try builtinCall(name, args, at: e)
    }

    /// A user function's body inlined at this call: its parameters bound to the arguments, its
    /// locals (and `var` state) this call site's own, its last expression the value.
    mutating func inline(_ f: PineFunction, name: String, _ args: [PineArgument], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        guard !inlining.contains(name) else {
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name) calls itself; recursion is not supported in Pine")
        }
        let bound = try bind(args, to: f.parameters, required: f.parameters.count, function: name, at: e)
        var values: [PineValue] = []
        for arg in bound { values.append(try value(arg!.value)) }
        callStack.append(uniqueName(String(name.map { $0 == "." ? "_" : $0 })))
        inlining.append(name)
        defer {
            callStack.removeLast()
            inlining.removeLast()
        }
        return try withScope { (me: inout PineScriptCompiler) throws(PineDiagnostic) -> PineValue in
            for (parameter, v) in zip(f.parameters, values) {
                let final = me.uniqueName(me.callStack.joined(separator: "_") + "_" + parameter)
                var bound = v
                if v.ir != .null { bound.ir = me.define(final + "_v", v.ir) }
                me.scopes[me.scopes.count - 1][parameter] = PineVariable(value: bound, final: final, persistent: false, declared: f.location, typeFixed: v.type)
            }
            return try me.blockValue(f.body)
        }
    }

    /// Matches arguments to `parameters` (positional first, then by name); nil where not given.
    func bind(_ args: [PineArgument], to parameters: [String], required: Int, function: String, at e: PineExpr) throws(PineDiagnostic) -> [PineArgument?] {
        var out = [PineArgument?](repeating: nil, count: parameters.count)
        var positional = 0
        for arg in args {
            let index: Int
            if let label = arg.label {
                guard let k = parameters.firstIndex(of: label) else {
                    throw PineDiagnostic(
                        .argument, at: arg.value.location, text: label,
                        "\(function) has no argument '\(label)'\(Suggestion.didYouMean(label, among: parameters)); it takes \(parameters.joined(separator: ", "))")
                }
                index = k
            } else {
                guard positional < parameters.count else {
                    throw PineDiagnostic(.argument, at: arg.value.location, text: arg.value.text, "\(function) takes at most \(parameters.count) arguments (\(parameters.joined(separator: ", ")))")
                }
                index = positional
                positional += 1
            }
            guard out[index] == nil else { throw PineDiagnostic(.argument, at: arg.value.location, text: parameters[index], "\(parameters[index]) is given twice") }
            out[index] = arg
        }
        for k in 0..<required where out[k] == nil {
            throw PineDiagnostic(.argument, at: e.location, text: function, "\(function) needs '\(parameters[k])'")
        }
        return out
    }
}
