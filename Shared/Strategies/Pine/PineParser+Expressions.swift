/// Expressions, by Pine's precedence: `[]` history, then unary `+ - not`, `* / %`, `+ -`,
/// `< <= > >=`, `== !=`, `and`, `or`, and the ternary `?:` lowest.
extension PineParser {
    mutating func expression() throws(PineDiagnostic) -> PineExpr {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting < Self.maxNesting else { throw error("an expression nested more than \(Self.maxNesting) deep; split it into variables") }
        let condition = try binary(0)
        guard accept("?") else { return condition }
        let a = try expression()
        try expect(":", "':' and the value when the condition is false")
        let b = try expression()
        return PineExpr(kind: .ternary(condition, a, b), location: condition.location, text: condition.text)
    }

    /// Binary operators by level, lowest first.
    private static let levels: [[String]] = [["or"], ["and"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]]

    private mutating func binary(_ level: Int) throws(PineDiagnostic) -> PineExpr {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level + 1)
        while let op = binaryOperator(), Self.levels[level].contains(op) {
            advance()
            let right = try binary(level + 1)
            left = PineExpr(kind: .binary(op, left, right), location: left.location, text: left.text)
        }
        return left
    }

    private func binaryOperator() -> String? {
        switch peek.kind {
        case .symbol(let s): s
        case .keyword("and"): "and"
        case .keyword("or"): "or"
        default: nil
        }
    }

    private mutating func unary() throws(PineDiagnostic) -> PineExpr {
        let start = peek
        if start.kind == .symbol("-") || start.kind == .symbol("+") || start.kind == .keyword("not") {
            advance()
            nesting += 1
            defer { nesting -= 1 }
            guard nesting < Self.maxNesting else { throw error("an expression nested more than \(Self.maxNesting) deep") }
            let operand = try unary()
            return PineExpr(kind: .unary(start.text, operand), location: start.location, text: start.text)
        }
        return try postfix()
    }

    private mutating func postfix() throws(PineDiagnostic) -> PineExpr {
        var e = try primary()
        while peek.kind == .symbol("[") {
            let open = peek
            advance()
            let offset = try expression()
            try expect("]", "']' to close the history reference")
            e = PineExpr(kind: .history(e, offset), location: open.location, text: e.text)
        }
        return e
    }

    private mutating func primary() throws(PineDiagnostic) -> PineExpr {
        let t = peek
        switch t.kind {
        case .number(let v, let integer):
            advance()
            return PineExpr(kind: .number(v, integer: integer), location: t.location, text: t.text)
        case .string(let s):
            advance()
            return PineExpr(kind: .string(s), location: t.location, text: t.text)
        case .color:
            advance()
            return PineExpr(kind: .color, location: t.location, text: t.text)
        case .keyword("true"), .keyword("false"):
            advance()
            return PineExpr(kind: .bool(t.text == "true"), location: t.location, text: t.text)
        case .name("na") where !isCall(at: position):
            advance()
            return PineExpr(kind: .na, location: t.location, text: t.text)
        case .name(let name):
            advance()
            if peek.kind == .symbol("(") { return try call(name, t) }
            return PineExpr(kind: .name(name), location: t.location, text: t.text)
        case .keyword(let cast) where ["int", "float", "bool", "string", "color"].contains(cast) && isCall(at: position):
            advance()
            return try call(cast, t)
        case .symbol("("):
            advance()
            let e = try expression()
            try expect(")", "')'")
            return e
        case .symbol("["):
            advance()
            var items: [PineExpr] = []
            if !accept("]") {
                repeat { items.append(try expression()) } while accept(",")
                try expect("]", "']'")
            }
            return PineExpr(kind: .tuple(items), location: t.location, text: "[")
        case .keyword("if"), .keyword("switch"):
            throw PineDiagnostic(.syntax, at: t.location, text: t.text, "\(t.text) as a value must start its own line: x = \(t.text) …")
        default:
            throw error("a value (a number, a name, a call)")
        }
    }

    private mutating func call(_ name: String, _ start: PineToken) throws(PineDiagnostic) -> PineExpr {
        advance()  // (
        var arguments: [PineArgument] = []
        if !accept(")") {
            repeat {
                if let label = argumentLabel, token(at: position + 1).kind == .symbol("=") {
                    advance()
                    advance()
                    arguments.append(PineArgument(label: label, value: try expression()))
                } else {
                    if let named = arguments.last?.label {
                        throw PineDiagnostic(.argument, at: peek.location, text: peek.text, "a positional argument after the named argument '\(named)'; name this one too")
                    }
                    arguments.append(PineArgument(label: nil, value: try expression()))
                }
            } while accept(",")
            try expect(")", "')' to close the call to \(name)")
        }
        return PineExpr(kind: .call(name, arguments), location: start.location, text: name)
    }
}
