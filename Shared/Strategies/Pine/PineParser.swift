/// Parses Pine tokens into statements. Operator precedence is Pine's: `[]` history, then unary
/// `+ - not`, `* / %`, `+ -`, `< <= > >=`, `== !=`, `and`, `or`, and the ternary `?:` lowest.
struct PineParser {
    private let tokens: [PineToken]
    /// The index of the next token.
    var position = 0
    /// How deep expressions nest: refused past a limit, so a pathological script cannot overflow the stack.
    var nesting = 0
    static let maxNesting = 200

    init(_ tokens: [PineToken]) {
        self.tokens = tokens
    }

    /// The whole script.
    mutating func script() throws(PineDiagnostic) -> [PineStatement] {
        var out: [PineStatement] = []
        while true {
            skipNewlines()
            if case .end = peek.kind { return out }
            if case .indent = peek.kind {
                throw PineDiagnostic(.syntax, at: peek.location, "this block is indented but follows no if, for, switch or function")
            }
            out.append(try statement())
        }
    }

    // MARK: Statements

    private mutating func statement() throws(PineDiagnostic) -> PineStatement {
        let start = peek
        switch start.kind {
        case .keyword("if"):
            return PineStatement(kind: try ifStatement(), location: start.location, text: "if")
        case .keyword("for"):
            return try forStatement()
        case .keyword("switch"):
            return PineStatement(kind: try switchStatement(), location: start.location, text: "switch")
        case .keyword("while"):
            throw PineDiagnostic(.unsupported, at: start.location, text: "while", "while loops are not supported (their number of passes is not known before the script runs); use a for loop with fixed bounds")
        case .keyword("break"):
            advance()
            try endOfLine()
            return PineStatement(kind: .breakLoop, location: start.location, text: "break")
        case .keyword("continue"):
            advance()
            try endOfLine()
            return PineStatement(kind: .continueLoop, location: start.location, text: "continue")
        case .keyword(let k) where ["import", "export", "method", "type"].contains(k):
            throw PineDiagnostic(.unsupported, at: start.location, text: k, "'\(k)' (libraries, methods and user-defined types) is not supported")
        case .keyword("var"), .keyword("varip"):
            advance()
            let varip = start.kind == .keyword("varip")
            let type = try typeName()
            let name = try expectName("a variable name after \(start.text)")
            try expect("=", "'=' and the variable's first value")
            let value = try valueOrStatement()
            return PineStatement(kind: .declare(names: [name.text], type: type, persistent: true, varip: varip, value: value), location: start.location, text: name.text)
        case .keyword(let k) where ["int", "float", "bool", "string", "color", "series", "simple", "const"].contains(k) && !isCall(at: position):
            let type = try typeName()
            let name = try expectName("a variable name after the type")
            try expect("=", "'=' and the variable's value")
            let value = try valueOrStatement()
            return PineStatement(kind: .declare(names: [name.text], type: type, persistent: false, varip: false, value: value), location: start.location, text: name.text)
        case .symbol("[") where isTupleDeclaration():
            advance()
            var names: [String] = []
            repeat {
                names.append(try expectName("a name in the tuple").text)
            } while accept(",")
            try expect("]", "']' to close the names")
            try expect("=", "'=' and the function call whose values these are")
            let value = try expression()
            try endOfLine()
            return PineStatement(kind: .declare(names: names, type: nil, persistent: false, varip: false, value: value), location: start.location, text: "[")
        case .name(let name):
            if isFunctionDefinition() { return try functionDefinition() }
            if case .symbol(let s) = token(at: position + 1).kind, ["=", ":=", "+=", "-=", "*=", "/=", "%="].contains(s) {
                advance()
                advance()
                let value = try valueOrStatement()
                if s == "=" {
                    return PineStatement(kind: .declare(names: [name], type: nil, persistent: false, varip: false, value: value), location: start.location, text: name)
                }
                return PineStatement(kind: .assign(name: name, op: s == ":=" ? "" : String(s.dropLast()), value: value), location: start.location, text: name)
            }
        default: break
        }
        let e = try expression()
        try endOfLine()
        return PineStatement(kind: .expression(e), location: start.location, text: start.text)
    }

    /// A declaration's value: an expression, or an `if`/`switch` whose branches end with values.
    private mutating func valueOrStatement() throws(PineDiagnostic) -> PineExpr {
        let start = peek
        if start.kind == .keyword("if") || start.kind == .keyword("switch") {
            let kind = start.kind == .keyword("if") ? try ifStatement() : try switchStatement()
            return PineExpr(kind: .statement(PineStatement(kind: kind, location: start.location, text: start.text)), location: start.location, text: start.text)
        }
        let e = try expression()
        try endOfLine()
        return e
    }

    private mutating func ifStatement() throws(PineDiagnostic) -> PineStatement.Kind {
        var branches: [PineBranch] = []
        var otherwise: [PineStatement]?
        advance()  // if
        let condition = try expression()
        branches.append(PineBranch(condition: condition, body: try block(after: "if")))
        while peek.kind == .keyword("else") {
            advance()
            if peek.kind == .keyword("if") {
                advance()
                let c = try expression()
                branches.append(PineBranch(condition: c, body: try block(after: "else if")))
            } else {
                otherwise = try block(after: "else")
                break
            }
        }
        return .branches(branches, otherwise: otherwise)
    }

    private mutating func forStatement() throws(PineDiagnostic) -> PineStatement {
        let start = peek
        advance()
        if peek.kind == .symbol("[") {
            throw PineDiagnostic(.unsupported, at: peek.location, text: "for [", "for … in loops over arrays are not supported (arrays are not)")
        }
        let variable = try expectName("the loop variable after for")
        if peek.kind == .keyword("in") {
            throw PineDiagnostic(.unsupported, at: peek.location, text: "in", "for … in loops over arrays are not supported (arrays are not)")
        }
        try expect("=", "'=' and the first value, e.g. for i = 0 to 9")
        let from = try expression()
        guard peek.kind == .keyword("to") else { throw error("'to' and the last value, e.g. for i = 0 to 9") }
        advance()
        let to = try expression()
        var step: PineExpr?
        if peek.kind == .keyword("by") {
            advance()
            step = try expression()
        }
        let body = try block(after: "for")
        return PineStatement(kind: .loop(variable: variable.text, from: from, to: to, step: step, body: body), location: start.location, text: "for")
    }

    private mutating func switchStatement() throws(PineDiagnostic) -> PineStatement.Kind {
        advance()  // switch
        var subject: PineExpr?
        if peek.kind != .newline { subject = try expression() }
        try endOfLine()
        guard peek.kind == .indent else { throw error("the switch's cases, indented on the lines below") }
        advance()
        var cases: [PineBranch] = []
        while peek.kind != .dedent, peek.kind != .end {
            skipNewlines()
            if peek.kind == .dedent { break }
            var match: PineExpr?
            if peek.kind != .symbol("=>") { match = try expression() }
            try expect("=>", "'=>' and what this case does")
            let body: [PineStatement]
            if peek.kind == .newline {
                body = try block(after: "=>", atNewline: true)
            } else {
                let startToken = peek
                let e = try expression()
                try endOfLine()
                body = [PineStatement(kind: .expression(e), location: startToken.location, text: startToken.text)]
            }
            cases.append(PineBranch(condition: match, body: body))
        }
        if peek.kind == .dedent { advance() }
        return .choose(subject: subject, cases: cases)
    }

    private mutating func functionDefinition() throws(PineDiagnostic) -> PineStatement {
        let name = peek
        advance()
        try expect("(", "'('")
        var parameters: [String] = []
        if !accept(")") {
            repeat {
                // Typed parameters (`float src`) and defaults are read; the type is inferred from the call.
                _ = try typeName()
                let p = try expectName("a parameter name")
                if parameters.contains(p.text) { throw PineDiagnostic(.duplicate, at: p.location, text: p.text, "'\(p.text)' is declared twice") }
                parameters.append(p.text)
                if accept("=") {
                    throw PineDiagnostic(.unsupported, at: p.location, text: p.text, "default parameter values are not supported; pass every argument")
                }
            } while accept(",")
            try expect(")", "')' to close the parameters")
        }
        try expect("=>", "'=>'")
        let body: [PineStatement]
        if peek.kind == .newline {
            body = try block(after: "=>", atNewline: true)
        } else {
            let start = peek
            let e = try expression()
            try endOfLine()
            body = [PineStatement(kind: .expression(e), location: start.location, text: start.text)]
        }
        return PineStatement(kind: .function(name: name.text, parameters: parameters, body: body), location: name.location, text: name.text)
    }

    /// An indented block after `what` (the line must end first).
    private mutating func block(after what: String, atNewline: Bool = false) throws(PineDiagnostic) -> [PineStatement] {
        try endOfLine()
        guard peek.kind == .indent else {
            throw PineDiagnostic(.syntax, at: peek.location, text: peek.text, "'\(what)' needs a block: the lines below it indented 4 spaces more")
        }
        advance()
        var out: [PineStatement] = []
        while true {
            skipNewlines()
            if peek.kind == .dedent {
                advance()
                return out
            }
            if peek.kind == .end { return out }
            out.append(try statement())
        }
    }

    private mutating func typeName() throws(PineDiagnostic) -> String? {
        var type: String?
        while case .keyword(let k) = peek.kind, ["int", "float", "bool", "string", "color", "series", "simple", "const"].contains(k) {
            if ["int", "float", "bool", "string", "color"].contains(k) { type = k }
            advance()
        }
        if case .name(let n) = peek.kind, ["array", "matrix", "map", "label", "line", "box", "table"].contains(n) || n.hasPrefix("array.") {
            throw PineDiagnostic(.unsupported, at: peek.location, text: n, "\(n) values are not supported (arrays, maps, matrices and drawings)")
        }
        return type
    }

    // MARK: Tokens

    var peek: PineToken { tokens[min(position, tokens.count - 1)] }
    func token(at k: Int) -> PineToken { tokens[min(k, tokens.count - 1)] }
    mutating func advance() { position += 1 }

    mutating func accept(_ symbol: String) -> Bool {
        guard peek.kind == .symbol(symbol) else { return false }
        advance()
        return true
    }

    mutating func expect(_ symbol: String, _ what: String) throws(PineDiagnostic) {
        guard accept(symbol) else { throw error(what) }
    }

    mutating func expectName(_ what: String) throws(PineDiagnostic) -> PineToken {
        guard case .name = peek.kind else { throw error(what) }
        defer { advance() }
        return peek
    }

    mutating func endOfLine() throws(PineDiagnostic) {
        switch peek.kind {
        case .newline: advance()
        case .end, .dedent: break
        default: throw error("the end of the line")
        }
    }

    private mutating func skipNewlines() {
        while peek.kind == .newline { advance() }
    }

    /// The current token as an argument's label (`color` and other type names are labels too).
    var argumentLabel: String? {
        switch peek.kind {
        case .name(let n), .keyword(let n): n
        default: nil
        }
    }

    func isCall(at k: Int) -> Bool { token(at: k + 1).kind == .symbol("(") }

    private func isTupleDeclaration() -> Bool {
        var k = position + 1
        while case .name = token(at: k).kind {
            k += 1
            if token(at: k).kind == .symbol(",") { k += 1 } else { break }
        }
        return token(at: k).kind == .symbol("]") && token(at: k + 1).kind == .symbol("=")
    }

    private func isFunctionDefinition() -> Bool {
        guard token(at: position + 1).kind == .symbol("(") else { return false }
        var depth = 0
        var k = position + 1
        while k < tokens.count {
            switch tokens[k].kind {
            case .symbol("("): depth += 1
            case .symbol(")"):
                depth -= 1
                if depth == 0 { return token(at: k + 1).kind == .symbol("=>") }
            case .newline, .end: return false
            default: break
            }
            k += 1
        }
        return false
    }

    func error(_ expected: String) -> PineDiagnostic {
        let t = peek
        let found: String =
            switch t.kind {
            case .newline: "the end of the line"
            case .end: "the end of the script"
            case .indent: "an indented block"
            case .dedent: "the end of a block"
            default: "'\(t.text)'"
            }
        return PineDiagnostic(.syntax, at: t.location, text: t.text, "expected \(expected), found \(found)")
    }
}
