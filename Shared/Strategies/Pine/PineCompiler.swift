/// A Pine strategy compiled to the strategy language: the document (which backtests, optimises and
/// trades like any other), the warnings, and the `strategy()` settings the document has no field for.
public struct PineCompilation: Sendable {
    /// The strategy-language document the script compiles to.
    public var document: StrategyDocument
    /// Accepted, but worth knowing: ignored display calls, `varip` read as `var`, settings ignored.
    public var warnings: [PineDiagnostic]
    /// `strategy(initial_capital=…)`, TradingView's default 1,000,000 when not given.
    public var initialCapital: Double
    /// The script's title.
    public var title: String
}

/// Compiles Pine Script v5/v6 strategies to the strategy language (`StrategyDocument`), so a Pine
/// strategy runs on the one evaluator, backtester and bot runtime every strategy runs on.
///
/// The script is executed symbolically once: every variable version becomes a named signal,
/// `var` state becomes `previous`, an assignment under `if` becomes `if/then/else` on the
/// branch's path condition, `for` loops unroll, functions inline (each call site its own state,
/// as in Pine), and `strategy.*` calls become the document's rules, exits and sizing.
public enum PineCompiler {
    /// Compiles `source`; the first error is thrown with its line and column.
    public static func compile(_ source: String) throws(PineDiagnostic) -> PineCompilation {
        let lexer = try PineLexer(source)
        guard let (version, at) = lexer.version else {
            throw PineDiagnostic(.version, at: PineLocation(line: 1, column: 1), "the script does not say its version; start it with //@version=6 (or 5)")
        }
        guard version == 5 || version == 6 else {
            throw PineDiagnostic(.version, at: at, text: "//@version=\(version)", "Pine v\(version) is not supported; Tradewind compiles v5 and v6 (the v5 → v6 migration guide covers older scripts)")
        }
        var parser = PineParser(lexer.tokens)
        let statements = try parser.script()
        var compiler = PineScriptCompiler(version: version)
        let compiled = try compiler.compile(statements)
        // Meaning the strategy language checks (a length an indicator refuses, a parameter range).
        do {
            _ = try StrategyCompiler.compile(compiled.document)
        } catch {
            throw PineDiagnostic(.argument, at: PineLocation(line: 1, column: 1), "the compiled strategy is refused: \(error.message)")
        }
        return compiled
    }

    /// Checks `source` without keeping anything: the errors (at most one: compilation stops at the
    /// first) and the warnings.
    public static func validate(_ source: String) -> (errors: [PineDiagnostic], warnings: [PineDiagnostic]) {
        do {
            let compiled = try compile(source)
            return ([], compiled.warnings)
        } catch {
            return ([error], [])
        }
    }
}

/// One declared variable: its current version, and the signal that holds its value at the end of
/// each bar (what `x[1]` and `var` read).
struct PineVariable {
    var value: PineValue
    var final: String
    var persistent: Bool
    var declared: PineLocation
    /// Whether the variable was declared without a type keyword (its type is its first value's).
    var typeFixed: PineValue.PineType
}

/// A user-defined function: what the call site inlines.
struct PineFunction: Sendable {
    var parameters: [String]
    var body: [PineStatement]
    var location: PineLocation
}

/// The symbolic execution of one script (see `PineCompiler`).
struct PineScriptCompiler {
    let version: Int
    var signals: [String: JSONValue] = [:]
    var parameters: [String: JSONValue] = [:]
    var usedNames: Set<String> = ["open", "high", "low", "close", "volume", "hl2", "hlc3", "ohlc4", "na", "bar_index"]
    var warnings: [PineDiagnostic] = []
    var warned: Set<String> = []
    var scopes: [[String: PineVariable]] = [[:]]
    var functions: [String: PineFunction] = [:]
    var callStack: [String] = []
    /// The condition under which the statement being compiled runs (nil: every bar).
    var path: JSONValue?
    /// Inside unrolled loops: the condition that no `break` has happened yet (per loop), and
    /// that no `continue` has in this pass.
    var loops: [(broken: JSONValue?, continued: JSONValue?)] = []
    var orders = PineOrders()
    var declaration: PineStrategyDeclaration?
    var counter = 0
    /// The variable a declaration being compiled assigns (an input there is named after it).
    var pendingDeclaration: String?
    /// The functions being inlined, innermost last (recursion is refused).
    var inlining: [String] = []
    /// Statements compiled, to bound what unrolled loops and inlined functions produce.
    var work = 0
    static let maxWork = 50_000

    init(version: Int) {
        self.version = version
    }

    mutating func compile(_ statements: [PineStatement]) throws(PineDiagnostic) -> PineCompilation {
        try block(statements)
        finishScope()
        guard let declaration else {
            throw PineDiagnostic(.notAStrategy, at: PineLocation(line: 1, column: 1), "the script has no strategy(…) declaration; a bot runs strategies (indicator scripts draw, they do not trade)")
        }
        let document = try orders.document(
            declaration: declaration, signals: signals, parameters: parameters, compiler: &self)
        return PineCompilation(document: document, warnings: warnings, initialCapital: declaration.initialCapital, title: declaration.title)
    }

    // MARK: Names

    /// A signal name nobody uses yet, from `base`.
    mutating func uniqueName(_ base: String) -> String {
        func letter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        var stem = String(decoding: base.utf8.filter { letter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }, as: UTF8.self)
        if stem.isEmpty || !letter(stem.utf8.first!) { stem = "v" + stem }
        stem = String(stem.prefix(48))
        var name = stem
        while usedNames.contains(name) {
            counter += 1
            name = "\(stem)_\(counter)"
        }
        usedNames.insert(name)
        return name
    }

    /// Defines a signal for `ir` and returns a reference to it (small values are used as they are).
    mutating func define(_ base: String, _ ir: JSONValue) -> JSONValue {
        switch ir {
        case .number, .bool, .string: return ir
        default:
            let name = uniqueName(base)
            signals[name] = ir
            return .string(name)
        }
    }

    func lookup(_ name: String) -> PineVariable? {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return nil
    }

    mutating func update(_ name: String, _ change: (inout PineVariable) -> Void) {
        for k in scopes.indices.reversed() where scopes[k][name] != nil {
            change(&scopes[k][name]!)
            return
        }
    }

    mutating func warn(_ key: String, at location: PineLocation, text: String, _ message: String) {
        guard warned.insert(key).inserted else { return }
        warnings.append(PineDiagnostic(.warning, at: location, text: text, message))
    }

    // MARK: Statements

    mutating func block(_ statements: [PineStatement]) throws(PineDiagnostic) {
        for s in statements { try statement(s) }
    }

    /// The condition the current statement runs under, with loop breaks and continues folded in.
    var effectivePath: JSONValue? {
        var parts: [JSONValue] = []
        if let path { parts.append(path) }
        for loop in loops {
            if let b = loop.broken { parts.append(b) }
            if let c = loop.continued { parts.append(c) }
        }
        return parts.isEmpty ? nil : IR.and(parts)
    }

    mutating func statement(_ s: PineStatement) throws(PineDiagnostic) {
        work += 1
        guard work < Self.maxWork else {
            throw PineDiagnostic(.unsupported, at: s.location, text: s.text, "the script unrolls to more than \(Self.maxWork) statements (loops × function calls); use fewer or shorter loops")
        }
        switch s.kind {
        case .declare(let names, let type, let persistent, let varip, let valueExpr):
            if varip { warn("varip", at: s.location, text: "varip", "varip is read as var: backtests and bots run once per closed bar, so there are no intrabar updates to keep") }
            if names.count > 1 {
                let value = try self.value(valueExpr)
                guard case .tuple(let items) = value.type, items.count == names.count else {
                    throw PineDiagnostic(.type, at: s.location, text: "[", "\(names.count) names take a function returning \(names.count) values; this gives \(value.type)")
                }
                for (name, item) in zip(names, items) where name != "_" {
                    try declare(name, type: nil, persistent: false, value: item, at: s.location)
                }
                return
            }
            // An input assigned directly is named after its variable.
            if case .call(let callee, _) = valueExpr.kind, callee == "input" || callee.hasPrefix("input.") { pendingDeclaration = names[0] }
            var value = try self.value(valueExpr)
            pendingDeclaration = nil
            if let type {
                value = try convert(value, to: type, at: valueExpr.location, what: "the value of \(names[0])")
            } else if value.constant?.isNaN == true, value.type == .float, case .na = valueExpr.kind {
                throw PineDiagnostic(.type, at: s.location, text: names[0], "'\(names[0])' = na has no type; declare it with one, e.g. float \(names[0]) = na")
            }
            try declare(names[0], type: type, persistent: persistent, value: value, at: s.location)
        case .assign(let name, let op, let valueExpr):
            guard let variable = lookup(name) else {
                throw PineDiagnostic(.unknownName, at: s.location, text: name, "'\(name)' is not declared; declare it first with \(name) = …")
            }
            var value = try self.value(valueExpr)
            if !op.isEmpty {
                value = try arithmetic(op, variable.value, value, at: s.location)
            }
            value = try convert(value, to: variable.typeFixed.description, at: valueExpr.location, what: "'\(name)'")
            assign(name, value, to: variable)
        case .expression(let e):
            _ = try self.value(e)
        case .branches(let branches, let otherwise):
            _ = try ifStatement(branches, otherwise, wantValue: false, at: s.location)
        case .choose(let subject, let cases):
            _ = try switchStatement(subject, cases, wantValue: false, at: s.location)
        case .loop(let variable, let fromExpr, let toExpr, let stepExpr, let body):
            try loop(variable, fromExpr, toExpr, stepExpr, body, at: s.location)
        case .function(let name, let params, let body):
            guard functions[name] == nil else { throw PineDiagnostic(.duplicate, at: s.location, text: name, "'\(name)' is declared twice") }
            guard scopes.count == 1, callStack.isEmpty else {
                throw PineDiagnostic(.syntax, at: s.location, text: name, "functions are declared at the top level of the script")
            }
            functions[name] = PineFunction(parameters: params, body: body, location: s.location)
        case .breakLoop, .continueLoop:
            guard !loops.isEmpty else {
                throw PineDiagnostic(.syntax, at: s.location, text: s.text, "'\(s.text)' is only allowed inside a for loop")
            }
            // From here on in this loop (break) or pass (continue), nothing runs where we are.
            // Named, so a break in every pass of a long loop does not nest thousands deep.
            let stop = path.map(IR.not) ?? .bool(false)
            if case .breakLoop = s.kind {
                loops[loops.count - 1].broken = define("unbroken", loops.last!.broken.map { IR.and([$0, stop]) } ?? stop)
            } else {
                loops[loops.count - 1].continued = define("continuing", loops.last!.continued.map { IR.and([$0, stop]) } ?? stop)
            }
        }
    }

    mutating func declare(_ name: String, type: String?, persistent: Bool, value: PineValue, at location: PineLocation) throws(PineDiagnostic) {
        if let existing = scopes[scopes.count - 1][name] {
            throw PineDiagnostic(.duplicate, at: location, text: name, "'\(name)' is declared twice (first at \(existing.declared)); use := to give it a new value")
        }
        if PineBuiltins.isReserved(name) {
            throw PineDiagnostic(.duplicate, at: location, text: name, "'\(name)' is a built-in; choose another name")
        }
        let prefix = callStack.isEmpty ? "" : callStack.joined(separator: "_") + "_"
        let final = uniqueName(prefix + name)
        var current = value
        let fixedType = value.type == .int && type == nil ? PineValue.PineType.int : value.type
        if persistent {
            // `var`: the first bar takes the value; every later bar starts from the last bar's end.
            current = PineValue(IR.previous(final, initial: value.ir), value.type, .series)
        } else if value.ir != .null {
            current.ir = define(prefix + name + "_v", value.ir)
        }
        scopes[scopes.count - 1][name] = PineVariable(value: current, final: final, persistent: persistent, declared: location, typeFixed: fixedType)
    }

    /// A new version of `name`: `value` where the statement runs, the old version elsewhere.
    mutating func assign(_ name: String, _ value: PineValue, to variable: PineVariable) {
        var next = value
        guard value.ir != .null else {
            update(name) { $0.value = value }
            return
        }
        if let condition = effectivePath {
            next.ir = IR.choose(condition, value.ir, variable.value.ir)
            next.qualifier = .series
        }
        next.ir = define(variable.final + "_v", next.ir)
        next.qualifier = max(next.qualifier, variable.value.qualifier, variable.persistent ? .series : .const)
        next.type = variable.typeFixed == .float ? .float : next.type
        next.constant = next.qualifier == .const ? value.constant : nil
        next.parameter = nil
        update(name) { $0.value = next }
    }

    /// Ends the innermost scope: each variable's last version is its end-of-bar signal.
    mutating func finishScope() {
        // Strings, colours and tuples have no value in the strategy language.
        for (_, variable) in scopes.removeLast() where variable.value.ir != .null {
            signals[variable.final] = variable.value.ir
        }
        if scopes.isEmpty { scopes = [[:]] }
    }

    mutating func withScope<T>(_ body: (inout PineScriptCompiler) throws(PineDiagnostic) -> T) throws(PineDiagnostic) -> T {
        scopes.append([:])
        defer { finishScope() }
        return try body(&self)
    }
}
