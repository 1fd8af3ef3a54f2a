/// A Pine expression as parsed, with where it starts.
struct PineExpr: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        case number(Double, integer: Bool)
        case string(String)
        case bool(Bool)
        case na
        case color
        case name(String)
        /// `f(a, b, length = 3)`: positional arguments first, then named ones.
        case call(String, [PineArgument])
        /// `x[n]`: `x` `n` bars back.
        case history(PineExpr, PineExpr)
        /// `-x`, `+x`, `not x`.
        case unary(String, PineExpr)
        case binary(String, PineExpr, PineExpr)
        case ternary(PineExpr, PineExpr, PineExpr)
        /// `[a, b]` (only as what a function returns).
        case tuple([PineExpr])
        /// `if` / `switch` used as a value: the statements and the value each branch ends with.
        case statement(PineStatement)
    }

    var kind: Kind
    var location: PineLocation
    /// The token it starts with, for messages.
    var text: String
}

/// One argument of a call: `name = value` or just `value`.
struct PineArgument: Sendable, Hashable {
    var label: String?
    var value: PineExpr
}

/// A Pine statement.
struct PineStatement: Sendable, Hashable {
    indirect enum Kind: Sendable {
        /// `[var] [type] x = e`, or `[a, b] = e`.
        case declare(names: [String], type: String?, persistent: Bool, varip: Bool, value: PineExpr)
        /// `x := e`, `x += e` (the operator without `=`: "", "+", "-", "*", "/", "%").
        case assign(name: String, op: String, value: PineExpr)
        case expression(PineExpr)
        /// `if c … else if d … else …`: each condition with its block; the else block last.
        case branches([PineBranch], otherwise: [PineStatement]?)
        /// `for i = a to b [by s]`.
        case loop(variable: String, from: PineExpr, to: PineExpr, step: PineExpr?, body: [PineStatement])
        /// `switch [subject]` with `value => block` cases and an optional `=> block` default.
        /// A case whose `condition` is nil is the default.
        case choose(subject: PineExpr?, cases: [PineBranch])
        /// `f(a, b) => body`.
        case function(name: String, parameters: [String], body: [PineStatement])
        case breakLoop
        case continueLoop
    }

    var kind: Kind
    var location: PineLocation
    var text: String

    static func == (a: PineStatement, b: PineStatement) -> Bool { a.location == b.location && a.text == b.text }
    func hash(into h: inout Hasher) {
        h.combine(location)
        h.combine(text)
    }
}

/// A block with the condition (or the `switch` value) that selects it.
struct PineBranch: Sendable {
    var condition: PineExpr?
    var body: [PineStatement]
}
