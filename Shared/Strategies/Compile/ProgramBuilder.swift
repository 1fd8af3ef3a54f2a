import Indicators
import TradingCore

/// Builds a `SignalProgram` from expressions: inputs (prices, indicator outputs), constants and
/// instructions, each distinct sub-expression once (keyed by its canonical text), with the bar at
/// which each slot can first be known.
struct ProgramBuilder {
    enum Kind { case number, condition }

    let document: StrategyDocument
    let parameters: [String: Double]
    var indicatorInputs: [StrategyPlan.IndicatorInput] = []
    var nextInput = SignalProgram.firstIndicatorSlot
    private var constants: [(key: Double, slot: Int)] = []
    var instructions: [(SignalProgram.Instruction, warmup: Int)] = []
    private var stateSize = 0
    private var memo: [SignalProgram.Instruction: Int] = [:]
    /// Warm-up of each input slot (prices and time 0, indicator outputs their lookback); constants
    /// have none, instructions keep theirs beside them.
    var inputWarmup = [Int](repeating: 0, count: SignalProgram.firstIndicatorSlot)
    private var expanding: [String] = []
    /// Each signal compiled once: a signal several others read (as compiled Pine's versions are)
    /// is not walked again per reader, which could be exponential.
    var compiledSignals: [String: (slot: Int, kind: Kind)] = [:]
    /// `previous` instructions whose signal is compiled last (it may refer back to them): the
    /// instruction's index, the signal, where it was written and the kind its initial value has.
    var pendingPrevious: [(index: Int, name: String, pointer: String, kind: Kind)] = []
    private var previousNames: [String] = []
    /// The consensus signals compiled so far (`ProgramBuilder+Consensus`).
    var consensus: [ConsensusProgram] = []
    /// External agents with input slots, in the order their slots are laid out after the
    /// indicators' (so indicator outputs stay contiguous from `firstIndicatorSlot`).
    private var externalAgents: [TradingAgent] = []
    /// External agents' slots are numbered once the indicators' are known: until then
    /// `externalBase + 2k` for the k-th.
    private let externalBase = 1 << 22
    /// Instruction slots are numbered after inputs and constants, which are only known at the end:
    /// until then an instruction's slot is `computedBase + k`, renumbered in `finish`.
    private let computedBase = 1 << 24
    private let constantBase = 1 << 23

    init(document: StrategyDocument, parameters: [String: Double]) {
        self.document = document
        self.parameters = parameters
    }

    // MARK: Expressions

    mutating func condition(_ e: Expression) throws(StrategyError) -> Int {
        let (slot, kind) = try compile(e)
        guard kind == .condition else {
            throw StrategyError(.invalidValue, at: e.pointer, "this is a number, and a condition is needed here; compare it, e.g. {\"left\": …, \"op\": \">\", \"right\": 50}")
        }
        return slot
    }

    mutating func number(_ e: Expression) throws(StrategyError) -> Int {
        let (slot, kind) = try compile(e)
        guard kind == .number else {
            throw StrategyError(.invalidValue, at: e.pointer, "this is a condition (true or false), and a number is needed here")
        }
        return slot
    }

    mutating func compile(_ e: Expression) throws(StrategyError) -> (Int, Kind) {
        switch e.kind {
        case .number(let n): return (constant(n), .number)
        case .boolean(let b): return (constant(b ? 1 : 0), .condition)
        case .parameter(let name): return (constant(try parameter(name, at: e.pointer)), .number)
        case .price(let source): return (price(source), .number)
        case .signal(let name):
            guard let body = document.signals[name] else {
                let known = document.signals.keys.sorted()
                let hint = Suggestion.didYouMean(name, among: known + PriceSource.allCases.map(\.rawValue))
                throw StrategyError(
                    .unknownName, at: e.pointer,
                    "\"\(name)\" is not a price or a signal declared under /signals\(hint)\(known.isEmpty ? "" : " (signals: \(known.joined(separator: ", ")))")")
            }
            guard !expanding.contains(name) else {
                throw StrategyError(.cycle, at: e.pointer, "signal \"\(name)\" refers to itself through \((expanding + [name]).joined(separator: " → "))")
            }
            if let done = compiledSignals[name] { return done }
            expanding.append(name)
            defer { expanding.removeLast() }
            let compiled = try compile(body)
            compiledSignals[name] = compiled
            return compiled
        case .indicator(let call): return (try indicator(call, at: e.pointer), .number)
        case .binary(let op, let l, let r):
            let a: Int, b: Int
            if op.comparesConditions {
                let (left, leftKind) = try compile(l)
                let (right, rightKind) = try compile(r)
                guard leftKind == rightKind else {
                    throw StrategyError(.invalidValue, at: e.pointer, "\(op.rawValue) compares a number with a condition; compare like with like")
                }
                (a, b) = (left, right)
            } else {
                (a, b) = (try number(l), try number(r))
            }
            let code: SignalProgram.Instruction.Op =
                switch op {
                case .add: .add
                case .subtract: .subtract
                case .multiply: .multiply
                case .divide: .divide
                case .modulo: .modulo
                case .equal: .equal
                case .notEqual: .notEqual
                case .greater: .greater
                case .greaterOrEqual: .greaterOrEqual
                case .less: .less
                case .lessOrEqual: .lessOrEqual
                case .crossesAbove: .crossesAbove
                case .crossesBelow: .crossesBelow
                }
            let extra = op == .crossesAbove || op == .crossesBelow ? 1 : 0
            return (emit(.init(op: code, a: Int32(a), b: Int32(b)), warmup: max(warmup(a), warmup(b)) + extra), op.isCondition ? .condition : .number)
        case .all(let parts), .any(let parts):
            var slot = try condition(parts[0])
            let op: SignalProgram.Instruction.Op
            if case .all = e.kind { op = .and } else { op = .or }
            for part in parts.dropFirst() { slot = try combine(op, slot, try condition(part)) }
            return (slot, .condition)
        case .not(let inner):
            let a = try condition(inner)
            return (emit(.init(op: .not, a: Int32(a)), warmup: warmup(a)), .condition)
        case .function(let f, let args):
            var slot = try number(args[0])
            if let unary = Self.unaryOps[f] {
                return (emit(.init(op: unary, a: Int32(slot)), warmup: f == .na ? 0 : warmup(slot)), f == .na ? .condition : .number)
            }
            if f == .pow {
                let b = try number(args[1])
                return (emit(.init(op: .pow, a: Int32(slot), b: Int32(b)), warmup: max(warmup(slot), warmup(b))), .number)
            }
            for arg in args.dropFirst() {
                let b = try number(arg)
                slot = emit(.init(op: f == .min ? .min : .max, a: Int32(slot), b: Int32(b)), warmup: max(warmup(slot), warmup(b)))
            }
            return (slot, .number)
        case .window(let w, let inner, let bars):
            let (a, kind) = try compile(inner)
            let n = try count(bars, at: e.pointer + "/bars", range: w == .ago ? 0...10_000 : 1...10_000)
            switch w {
            case .ago:
                let s = allocateState(n + 1)
                return (emit(.init(op: .ago, a: Int32(a), n: Int32(n), state: Int32(s)), warmup: warmup(a) + n), kind)
            case .rising, .falling:
                guard kind == .number else { throw StrategyError(.invalidValue, at: e.pointer, "\(w.rawValue) compares numbers bar to bar; this is a condition") }
                let s = allocateState(2)
                return (emit(.init(op: w == .rising ? .rising : .falling, a: Int32(a), n: Int32(n), state: Int32(s)), warmup: warmup(a) + n), .condition)
            case .highest, .lowest, .sum:
                guard kind == .number else { throw StrategyError(.invalidValue, at: e.pointer, "\(w.rawValue) takes a number; this is a condition") }
                let s = allocateState(n)
                let op: SignalProgram.Instruction.Op = w == .highest ? .highest : (w == .lowest ? .lowest : .sum)
                return (emit(.init(op: op, a: Int32(a), n: Int32(n), state: Int32(s)), warmup: warmup(a) + n - 1), .number)
            }
        case .position(let field):
            let op: SignalProgram.Instruction.Op =
                switch field {
                case .flat: .flat
                case .long: .long
                case .short: .short
                case .barsInTrade: .barsInTrade
                case .entryPrice: .entryPrice
                case .unrealizedPnlPct: .unrealizedPnlPct
                case .quantity: .positionSize
                case .equity: .equity
                case .openEntries: .openEntries
                }
            return (emit(.init(op: op), warmup: 0), field.isCondition ? .condition : .number)
        case .consensus(let call):
            return (try consensusScore(call, at: e.pointer), .number)
        case .choice(let c, let then, let otherwise):
            let condition = try self.condition(c)
            let (a, kind) = try compile(then)
            let (b, otherKind) = try compile(otherwise)
            guard kind == otherKind else {
                throw StrategyError(.invalidValue, at: e.pointer, "\"then\" and \"else\" must both be numbers or both conditions")
            }
            // Known as soon as the branch taken is: the warm-up is the condition's.
            return (emit(.init(op: .choose, a: Int32(a), b: Int32(b), n: Int32(condition)), warmup: warmup(condition)), kind)
        case .previous(let name, let initial):
            let (start, kind) = try initial.map { i throws(StrategyError) in try compile(i) } ?? (constant(.nan), .number)
            if !previousNames.contains(name) { previousNames.append(name) }
            let id = previousNames.firstIndex(of: name)!
            let slot = emit(.init(op: .previous, a: -1, b: Int32(start), n: Int32(id)), warmup: 0)
            let index = slot - computedBase
            if instructions[index].0.a == -1, !pendingPrevious.contains(where: { $0.index == index }) {
                pendingPrevious.append((index, name, e.pointer, kind))
            }
            return (slot, kind)
        case .barIndex:
            return (emit(.init(op: .barIndex), warmup: 0), .number)
        case .time(let field):
            if field == .time { return (SignalProgram.timeSlot, .number) }
            let index = TimeField.allCases.firstIndex(of: field)!
            return (emit(.init(op: .calendar, a: Int32(SignalProgram.timeSlot), n: Int32(index)), warmup: 0), .number)
        }
    }

    /// The one-argument functions and their instructions.
    private static let unaryOps: [Function: SignalProgram.Instruction.Op] = [
        .abs: .abs, .na: .isNA, .sqrt: .sqrt, .log: .log, .exp: .exp, .floor: .floor, .ceil: .ceil, .round: .round, .sign: .sign,
    ]

    mutating func combine(_ op: SignalProgram.Instruction.Op, _ a: Int, _ b: Int) throws(StrategyError) -> Int {
        emit(.init(op: op, a: Int32(a), b: Int32(b)), warmup: max(warmup(a), warmup(b)))
    }

    // MARK: Pieces

    func parameter(_ name: String, at pointer: String) throws(StrategyError) -> Double {
        guard let value = parameters[name] else {
            let known = parameters.keys.sorted()
            throw StrategyError(
                .unknownName, at: pointer,
                "parameter \"$\(name)\" is not declared\(Suggestion.didYouMean(name, among: known)); declare it under /parameters, e.g. {\"\(name)\": {\"int\": [2, 100], \"default\": 14}}")
        }
        return value
    }

    func quantity(_ q: StrategyDocument.Quantity, at pointer: String) throws(StrategyError) -> Double {
        switch q {
        case .literal(let v): return v
        case .parameter(let name): return try parameter(name, at: pointer)
        }
    }

    /// A whole number of bars (or a count) in `range`.
    func count(_ q: StrategyDocument.Quantity, at pointer: String, range: ClosedRange<Int>) throws(StrategyError) -> Int {
        let v = try quantity(q, at: pointer)
        guard v == v.rounded(), v >= Double(range.lowerBound), v <= Double(range.upperBound) else {
            throw StrategyError(.invalidValue, at: pointer, "\(v) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(v)
    }

    private mutating func constant(_ v: Double) -> Int {
        if let c = constants.first(where: { $0.key.bitPattern == v.bitPattern }) { return c.slot }
        let slot = constantBase + constants.count
        constants.append((v, slot))
        return slot
    }

    private mutating func price(_ source: PriceSource) -> Int {
        switch source {
        case .open: return 0
        case .high: return 1
        case .low: return 2
        case .close: return 3
        case .volume: return 4
        case .hl2: return emit(.init(op: .hl2), warmup: 0)
        case .hlc3: return emit(.init(op: .hlc3), warmup: 0)
        case .ohlc4: return emit(.init(op: .ohlc4), warmup: 0)
        }
    }

    private mutating func allocateState(_ n: Int) -> Int {
        defer { stateSize += n }
        return stateSize
    }

    func warmup(_ slot: Int) -> Int {
        if slot >= computedBase { return instructions[slot - computedBase].warmup }
        if slot >= constantBase { return 0 }
        return slot < inputWarmup.count ? inputWarmup[slot] : 0
    }

    /// Emits `instruction` unless an identical one exists; its slot.
    mutating func emit(_ instruction: SignalProgram.Instruction, warmup: Int) -> Int {
        var key = instruction
        // Stateful instructions with the same operand and length are the same series.
        key.state = 0
        if let hit = memo[key] {
            if instruction.state != 0 || instructionIsStateful(instruction.op) { stateSize -= stateUse(instruction) }
            return hit
        }
        let slot = computedBase + instructions.count
        instructions.append((instruction, warmup))
        memo[key] = slot
        return slot
    }

    private func instructionIsStateful(_ op: SignalProgram.Instruction.Op) -> Bool {
        [.ago, .rising, .falling, .highest, .lowest, .sum].contains(op)
    }

    private func stateUse(_ i: SignalProgram.Instruction) -> Int {
        switch i.op {
        case .ago: Int(i.n) + 1
        case .rising, .falling: 2
        case .highest, .lowest, .sum: Int(i.n)
        default: 0
        }
    }

    /// The first of an external agent's two input slots (its action and confidence).
    mutating func externalVote(_ agent: TradingAgent) -> Int {
        let k = externalAgents.firstIndex(of: agent) ?? externalAgents.count
        if k == externalAgents.count { externalAgents.append(agent) }
        return externalBase + 2 * k
    }

    // MARK: Finish

    /// The program with every slot numbered: inputs, constants, then instructions in order.
    func finish() -> (program: SignalProgram, indicators: [StrategyPlan.IndicatorInput], warmup: [Int: Int], slot: @Sendable (Int) -> Int) {
        let firstExternal = nextInput
        let inputCount = nextInput + 2 * externalAgents.count
        let firstComputed = inputCount + constants.count
        let computedBase = computedBase, constantBase = constantBase, externalBase = externalBase
        let renumber: @Sendable (Int) -> Int = { s in
            if s >= computedBase { return firstComputed + (s - computedBase) }
            if s >= constantBase { return inputCount + (s - constantBase) }
            if s >= externalBase { return firstExternal + (s - externalBase) }
            return s
        }
        let code = instructions.map { entry in
            var i = entry.0
            i.a = Int32(renumber(Int(i.a)))
            i.b = Int32(renumber(Int(i.b)))
            if i.op == .choose { i.n = Int32(renumber(Int(i.n))) }
            return i
        }
        // Consensus members read input slots: indicators' keep their numbers, external votes' move.
        let program = SignalProgram(
            inputCount: inputCount, constants: constants.map { (renumber($0.slot), $0.key) }, instructions: code, stateSize: stateSize,
            consensus: consensus.map { $0.renumbered(renumber) },
            external: externalAgents.enumerated().map { (agent: $0.element, slot: firstExternal + 2 * $0.offset) })
        var warm: [Int: Int] = [:]
        for (slot, w) in inputWarmup.enumerated() { warm[slot] = w }
        for slot in firstExternal..<inputCount { warm[slot] = 0 }
        for c in constants { warm[renumber(c.slot)] = 0 }
        for (k, entry) in instructions.enumerated() { warm[renumber(computedBase + k)] = entry.warmup }
        return (program, indicatorInputs, warm, renumber)
    }
}
