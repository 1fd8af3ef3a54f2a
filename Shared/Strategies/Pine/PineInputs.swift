/// `input.*`: each input becomes a declared parameter of the document, so optimisation and the API
/// can set it. Ranges come from `minval`/`maxval` (and `step`); without them an int input ranges
/// over [min(1, default), max(10 × default, default + 100)] and a float one over
/// [min(0, default), max(10 × default, default + 100)].
extension PineScriptCompiler {
    mutating func input(_ name: String, _ args: [PineArgument?], at e: PineExpr) throws(PineDiagnostic) -> PineValue {
        guard let defaultExpr = args[0]?.value else { throw PineDiagnostic(.argument, at: e.location, text: name, "\(name) needs a default value") }
        let defaultValue = try value(defaultExpr)
        func labelled(_ label: String) -> PineExpr? {
            let signature = PineBuiltins.signatures[name]!.parameters
            return signature.firstIndex(of: label).flatMap { args[$0]?.value }
        }
        func constant(_ label: String) throws(PineDiagnostic) -> Double? {
            guard let expr = labelled(label) else { return nil }
            let v = try value(expr)
            guard let c = v.constant, v.qualifier == .const, c.isFinite else {
                throw PineDiagnostic(.type, at: expr.location, text: expr.text, "\(label) of \(name) must be a literal number")
            }
            return c
        }
        let title = try labelled("title").flatMap { t throws(PineDiagnostic) in try value(t).text } ?? ""
        var kind = name
        if name == "input" {
            switch defaultValue.type {
            case .int: kind = "input.int"
            case .float: kind = "input.float"
            case .bool: kind = "input.bool"
            case .string: kind = "input.string"
            default:
                if case .string(let s) = defaultValue.ir, PineBuiltins.prices.contains(s) || s == "hlcc4" { kind = "input.source" }
            }
        }
        guard defaultValue.qualifier == .const || kind == "input.source" else {
            throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "an input's default must be a literal, not \(defaultValue.typeName)")
        }
        let parameterName = uniqueName(inputName(title: title, at: e))
        let reference = "$" + parameterName
        switch kind {
        case "input.int", "input.float":
            guard defaultValue.type.isNumeric, let d = defaultValue.constant, d.isFinite else {
                throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "\(kind)'s default must be a number")
            }
            let integer = kind == "input.int"
            if integer, d != d.rounded() {
                throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "input.int's default must be a whole number, not \(d)")
            }
            if labelled("options") != nil {
                throw PineDiagnostic(.unsupported, at: e.location, text: name, "numeric inputs with options are not supported; use minval, maxval and step")
            }
            let low = try constant("minval") ?? (integer ? Swift.min(1, d) : Swift.min(0, d))
            let high = try constant("maxval") ?? Swift.max(d * 10, d + 100)
            guard low <= d, d <= high else {
                throw PineDiagnostic(.argument, at: defaultExpr.location, text: defaultExpr.text, "the default \(d) is outside minval … maxval (\(low) … \(high))")
            }
            var declaration: [String: JSONValue] = [integer ? "int" : "float": .array([.number(low), .number(high)]), "default": .number(d)]
            if let step = try constant("step"), step > 0 { declaration["step"] = .number(step) }
            if !title.isEmpty { declaration["description"] = .string(title) }
            parameters[parameterName] = .object(declaration)
            var v = PineValue(.string(reference), integer ? .int : .float, .input, constant: d)
            v.parameter = reference
            v.constant = nil
            return v
        case "input.bool":
            guard defaultValue.type == .bool, let d = defaultValue.constant else {
                throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "input.bool's default must be true or false")
            }
            parameters[parameterName] = .object(["int": .array([.number(0), .number(1)]), "default": .number(d), "description": .string(title.isEmpty ? "1 = true" : title + " (1 = true)")])
            return PineValue(IR.binary("==", .string(reference), .number(1)), .bool, .input)
        case "input.string":
            guard let d = defaultValue.text else { throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "input.string's default must be a string") }
            guard let optionsExpr = labelled("options") else {
                // A free-text input (a title, a comment): known now, no parameter.
                parameters.removeValue(forKey: parameterName)
                return .string(d)
            }
            guard case .tuple(let items) = optionsExpr.kind else {
                throw PineDiagnostic(.argument, at: optionsExpr.location, text: optionsExpr.text, "options is a list of strings: options = [\"SMA\", \"EMA\"]")
            }
            var options: [String] = []
            for item in items {
                guard let s = try value(item).text else { throw PineDiagnostic(.type, at: item.location, text: item.text, "each option must be a string literal") }
                options.append(s)
            }
            guard let index = options.firstIndex(of: d) else {
                throw PineDiagnostic(.argument, at: defaultExpr.location, text: defaultExpr.text, "the default \"\(d)\" is not one of the options")
            }
            parameters[parameterName] = .object([
                "int": .array([.number(0), .number(Double(options.count - 1))]), "default": .number(Double(index)),
                "description": .string((title.isEmpty ? "" : title + ": ") + options.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")),
            ])
            var v = PineValue.string(d)
            v.qualifier = .input
            v.parameter = reference
            v.options = options
            return v
        case "input.source":
            guard case .string(let s) = defaultValue.ir, let index = PineBuiltins.sources.firstIndex(of: s) ?? (defaultValue.ir == builtinHLCC4 ? 7 : nil) else {
                throw PineDiagnostic(.type, at: defaultExpr.location, text: defaultExpr.text, "input.source's default is a price: open, high, low, close, hl2, hlc3, ohlc4, hlcc4 or volume")
            }
            parameters[parameterName] = .object([
                "int": .array([.number(0), .number(Double(PineBuiltins.sources.count - 1))]), "default": .number(Double(index)),
                "description": .string((title.isEmpty ? "" : title + ": ") + PineBuiltins.sources.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")),
            ])
            // The chosen price, picked by the parameter on every bar.
            var chosen: JSONValue = .string("volume")
            for (k, source) in PineBuiltins.sources.enumerated().reversed().dropFirst() {
                let price: JSONValue = source == "hlcc4" ? builtinHLCC4 : .string(source)
                chosen = IR.choose(IR.binary("==", .string(reference), .number(Double(k))), price, chosen)
            }
            return PineValue(define(parameterName + "_source", chosen), .float, .series)
        default:
            throw PineDiagnostic(.unsupported, at: e.location, text: name, "\(name) is not supported; use input.int, input.float, input.bool, input.string or input.source")
        }
    }

    private var builtinHLCC4: JSONValue {
        IR.binary("/", IR.binary("+", IR.binary("+", .string("high"), .string("low")), IR.binary("*", .number(2), .string("close"))), .number(4))
    }

    /// The parameter's name: the variable it is assigned to when the statement is `x = input…`,
    /// else its title in snake case.
    private func inputName(title: String, at e: PineExpr) -> String {
        if let pending = pendingDeclaration { return pending }
        let words = title.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.isEmpty ? "input" : words.joined(separator: "_")
    }
}
