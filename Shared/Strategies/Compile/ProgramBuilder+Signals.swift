/// Signals compiled in dependency order, and `previous` pointed at its signal once compiled.
extension ProgramBuilder {
    /// Compiles the signals `roots` read, directly or through others, each after every signal it
    /// reads: later references find them compiled, so no compile recurses through a chain of
    /// signals (compiled Pine makes chains thousands long, one per assignment), whatever its length.
    mutating func precompileSignals(reachableFrom roots: [Expression]) throws(StrategyError) {
        var order: [String] = []
        var seen: Set<String> = []
        var stack: [(name: String, reads: [String], next: Int)] = []
        var pending = roots.flatMap { root in
            let reads = Self.signalsRead(by: root)
            return reads.direct + reads.previous
        }
        func visit(_ name: String) {
            guard !seen.contains(name), let body = document.signals[name] else { return }
            seen.insert(name)
            let reads = Self.signalsRead(by: body)
            // What it reads through `previous` is compiled too, in its own order.
            pending += reads.previous
            stack.append((name, reads.direct, 0))
        }
        while let root = pending.popLast() {
            visit(root)
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next < stack[top].reads.count {
                    let read = stack[top].reads[stack[top].next]
                    stack[top].next += 1
                    visit(read)
                } else {
                    order.append(stack.removeLast().name)
                }
            }
        }
        for name in order where compiledSignals[name] == nil {
            _ = try compile(Expression(.signal(name), at: "/signals/\(name)"))
        }
    }

    /// The signals `e` names, and those it reads the last bar of (through `previous`).
    static func signalsRead(by e: Expression) -> (direct: [String], previous: [String]) {
        var out: [String] = [], previous: [String] = []
        func walk(_ e: Expression) {
            switch e.kind {
            case .signal(let name): out.append(name)
            case .previous(let name, let initial):
                previous.append(name)
                if let initial { walk(initial) }
            case .binary(_, let a, let b):
                walk(a)
                walk(b)
            case .all(let parts), .any(let parts), .function(_, let parts): parts.forEach(walk)
            case .not(let inner), .window(_, let inner, _): walk(inner)
            case .choice(let c, let a, let b):
                walk(c)
                walk(a)
                walk(b)
            case .number, .boolean, .parameter, .price, .indicator, .position, .consensus, .barIndex, .time: break
            }
        }
        walk(e)
        return (out, previous)
    }

    /// Compiles the signals `previous` reads (after everything else, since they may read
    /// themselves through it) and points each `previous` instruction at its signal's slot.
    mutating func resolvePrevious() throws(StrategyError) {
        while let pending = pendingPrevious.first {
            pendingPrevious.removeFirst()
            let (slot, kind) = try compile(Expression(.signal(pending.name), at: pending.pointer))
            guard kind == pending.kind else {
                throw StrategyError(
                    .invalidValue, at: pending.pointer,
                    "\"\(pending.name)\" is a \(kind == .number ? "number" : "condition") and its initial value is not; give an initial value of the same kind")
            }
            instructions[pending.index].0.a = Int32(slot)
        }
    }
}
