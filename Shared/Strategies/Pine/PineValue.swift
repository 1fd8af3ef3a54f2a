/// A Pine value while compiling: the strategy-language expression that computes it, its Pine
/// type and qualifier, and what is known of it before the script runs.
struct PineValue: Sendable {
    enum PineType: Sendable, Hashable, CustomStringConvertible {
        case int, float, bool, string, color, void
        case tuple([PineValue])

        var description: String {
            switch self {
            case .int: "int"
            case .float: "float"
            case .bool: "bool"
            case .string: "string"
            case .color: "color"
            case .void: "void"
            case .tuple(let items): "[\(items.map(\.type.description).joined(separator: ", "))]"
            }
        }

        static func == (a: PineType, b: PineType) -> Bool { a.description == b.description }
        func hash(into h: inout Hasher) { h.combine(description) }
        var isNumeric: Bool { self == .int || self == .float }
    }

    /// Pine's qualifiers, weakest first: a value known when written, one set by an input, one known
    /// on the first bar, one that changes from bar to bar.
    enum Qualifier: Int, Sendable, Comparable, CustomStringConvertible {
        case const, input, simple, series
        static func < (a: Qualifier, b: Qualifier) -> Bool { a.rawValue < b.rawValue }
        var description: String { ["const", "input", "simple", "series"][rawValue] }
    }

    /// The expression in the strategy language (a number, a condition, a name, an operator object).
    var ir: JSONValue
    var type: PineType
    var qualifier: Qualifier
    /// The number (or bool as 1/0) when known before the script runs.
    var constant: Double?
    /// The string when it is a literal (or an input's default).
    var text: String?
    /// The declared parameter this value is exactly (an input), as `$name`.
    var parameter: String?
    /// An `input.string` with options: the options, whose index the parameter holds.
    var options: [String]?

    init(_ ir: JSONValue, _ type: PineType, _ qualifier: Qualifier, constant: Double? = nil) {
        self.ir = ir
        self.type = type
        self.qualifier = qualifier
        self.constant = constant
    }

    static func number(_ v: Double, integer: Bool) -> PineValue {
        PineValue(v.isNaN ? .string("na") : .number(v), integer ? .int : .float, .const, constant: v)
    }

    static func bool(_ b: Bool) -> PineValue { PineValue(.bool(b), .bool, .const, constant: b ? 1 : 0) }

    static func string(_ s: String) -> PineValue {
        var v = PineValue(.null, .string, .const)
        v.text = s
        return v
    }

    static let na = PineValue(.string("na"), .float, .const, constant: .nan)
    static let void = PineValue(.null, .void, .const)

    /// `qualifier type`, as Pine names it in messages (`series float`).
    var typeName: String { "\(qualifier) \(type)" }
}

/// Builders for strategy-language expressions.
enum IR {
    static func binary(_ op: String, _ a: JSONValue, _ b: JSONValue) -> JSONValue { .object(["left": a, "op": .string(op), "right": b]) }
    static func choose(_ c: JSONValue, _ a: JSONValue, _ b: JSONValue) -> JSONValue { .object(["if": c, "then": a, "else": b]) }
    static func function(_ name: String, _ args: [JSONValue]) -> JSONValue { .object([name: args.count == 1 ? args[0] : .array(args)]) }
    static func window(_ name: String, _ x: JSONValue, _ bars: JSONValue) -> JSONValue { .object([name: x, "bars": bars]) }
    static func previous(_ signal: String, initial: JSONValue?) -> JSONValue {
        var o: [String: JSONValue] = ["previous": .string(signal)]
        if let initial { o["initial"] = initial }
        return .object(o)
    }
    static func and(_ parts: [JSONValue]) -> JSONValue { parts.count == 1 ? parts[0] : .object(["and": .array(parts)]) }
    static func or(_ parts: [JSONValue]) -> JSONValue { parts.count == 1 ? parts[0] : .object(["or": .array(parts)]) }
    static func isNA(_ x: JSONValue) -> JSONValue { .object(["na": x]) }
    /// Pine's `not c`: true where `c` is false or not known.
    static func not(_ c: JSONValue) -> JSONValue {
        if case .bool(let b) = c { return .bool(!b) }
        return choose(c, .bool(false), .bool(true))
    }
    static let na: JSONValue = .string("na")
}
