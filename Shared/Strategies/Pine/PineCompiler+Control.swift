/// Control flow: `if` and `switch` (also as values), blocks' values, and `for` loops unrolled.
extension PineScriptCompiler {
    /// `if`: each branch runs under its path (this one's condition, no earlier one's); as a value,
    /// the branch's last expression (na where no branch runs and there is no else).
    mutating func ifStatement(_ branches: [PineBranch], _ otherwise: [PineStatement]?, wantValue: Bool, at location: PineLocation)
        throws(PineDiagnostic) -> PineValue
    {
        let outer = path
        defer { path = outer }
        var notEarlier: [JSONValue] = []
        var results: [(JSONValue, PineValue)] = []
        for branch in branches {
            let c = try condition(branch.condition!, what: "an if condition")
            // Not known counts as false wherever a path is used (rules, if/then/else, not).
            let mine = c.ir
            // Named once: every assignment under the branch reads it by name.
            path = define("path", IR.and((outer.map { [$0] } ?? []) + notEarlier + [mine]))
            let result = try withScope { (me: inout PineScriptCompiler) throws(PineDiagnostic) -> PineValue in try me.blockValue(branch.body) }
            results.append((mine, result))
            notEarlier.append(IR.not(c.ir))
        }
        var fallback = PineValue.na
        if let otherwise {
            path = define("path", IR.and((outer.map { [$0] } ?? []) + notEarlier))
            fallback = try withScope { (me: inout PineScriptCompiler) throws(PineDiagnostic) -> PineValue in try me.blockValue(otherwise) }
        }
        guard wantValue else { return .void }
        return try merge(results, fallback, at: location)
    }

    /// `switch`: with a subject, the first case equal to it; without, the first true case.
    mutating func switchStatement(_ subject: PineExpr?, _ cases: [PineBranch], wantValue: Bool, at location: PineLocation)
        throws(PineDiagnostic) -> PineValue
    {
        // The subject is checked once here; each case compares against it.
        if let subject { _ = try value(subject) }
        var branches: [PineBranch] = []
        var otherwise: [PineStatement]?
        for c in cases {
            guard let match = c.condition else {
                otherwise = c.body
                continue
            }
            if let subject {
                let equal = PineExpr(kind: .binary("==", subject, match), location: match.location, text: match.text)
                branches.append(PineBranch(condition: equal, body: c.body))
            } else {
                branches.append(PineBranch(condition: match, body: c.body))
            }
        }
        guard !branches.isEmpty else {
            return try withScope { (me: inout PineScriptCompiler) throws(PineDiagnostic) -> PineValue in try me.blockValue(otherwise ?? []) }
        }
        return try ifStatement(branches, otherwise, wantValue: wantValue, at: location)
    }

    /// Compiles a block and returns the value of its last statement (void when it has none).
    mutating func blockValue(_ statements: [PineStatement]) throws(PineDiagnostic) -> PineValue {
        for s in statements.dropLast() { try statement(s) }
        guard let last = statements.last else { return .void }
        switch last.kind {
        case .expression(let e): return try value(e)
        case .branches(let branches, let otherwise):
            return try ifStatement(branches, otherwise, wantValue: true, at: last.location)
        case .choose(let subject, let cases):
            return try switchStatement(subject, cases, wantValue: true, at: last.location)
        case .declare(let names, _, _, _, _) where names.count == 1:
            try statement(last)
            return lookup(names[0])?.value ?? .void
        case .assign(let name, _, _):
            try statement(last)
            return lookup(name)?.value ?? .void
        default:
            try statement(last)
            return .void
        }
    }

    /// The value of an `if`/`switch` used as a value: nested choices in branch order.
    mutating func merge(_ results: [(JSONValue, PineValue)], _ fallback: PineValue, at location: PineLocation) throws(PineDiagnostic) -> PineValue {
        if fallback.type == .void || results.contains(where: { $0.1.type == .void }) { return .void }
        var out = fallback
        for (condition, result) in results.reversed() {
            let type = try unify(result, out, at: location, what: "the branches of if/switch")
            out = PineValue(define("choice", IR.choose(condition, result.ir, out.ir)), type, .series)
        }
        return out
    }

    /// `for i = a to b [by s]`: unrolled, `i` a constant in each pass.
    mutating func loop(_ name: String, _ fromExpr: PineExpr, _ toExpr: PineExpr, _ stepExpr: PineExpr?, _ body: [PineStatement], at location: PineLocation)
        throws(PineDiagnostic)
    {
        func bound(_ e: PineExpr, _ what: String) throws(PineDiagnostic) -> Double {
            let v = try value(e)
            guard v.type.isNumeric, let c = v.constant, v.qualifier == .const, c.isFinite else {
                throw PineDiagnostic(
                    .unsupported, at: e.location, text: e.text,
                    "the \(what) of a for loop must be known before the script runs (a literal or a constant), not \(v.typeName); loops are unrolled")
            }
            return c
        }
        let from = try bound(fromExpr, "start"), to = try bound(toExpr, "end")
        var step = try stepExpr.map { e throws(PineDiagnostic) in try bound(e, "step") } ?? (to >= from ? 1 : -1)
        step = Swift.abs(step) * (to >= from ? 1 : -1)
        guard step != 0 else { throw PineDiagnostic(.argument, at: location, text: "by", "a for loop's step cannot be 0") }
        let count = ((to - from) / step).rounded(.down) + 1
        guard count <= 5_000 else {
            throw PineDiagnostic(.unsupported, at: location, text: "for", "this loop makes \(count) passes; at most 5,000 are unrolled")
        }
        let passes = Int(count)
        loops.append((nil, nil))
        defer { loops.removeLast() }
        var i = from
        for _ in 0..<max(0, passes) {
            loops[loops.count - 1].continued = nil
            try withScope { (me: inout PineScriptCompiler) throws(PineDiagnostic) in
                me.scopes[me.scopes.count - 1][name] = PineVariable(
                    value: .number(i, integer: i == i.rounded()), final: me.uniqueName(name), persistent: false, declared: location,
                    typeFixed: i == i.rounded() ? .int : .float)
                try me.block(body)
            }
            i += step
        }
    }
}
