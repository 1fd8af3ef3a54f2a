/// One token of a Pine script.
struct PineToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// A name, dotted names joined (`ta.sma`, `strategy.long`).
        case name(String)
        case keyword(String)
        /// A number and whether it was written as an integer (`14` vs `14.0`).
        case number(Double, integer: Bool)
        case string(String)
        /// `#RRGGBB` or `#RRGGBBAA`: only display calls take colours.
        case color
        /// An operator or punctuation: `+ - * / % == != < <= > >= = := += -= *= /= ? : ( ) [ ] , =>`.
        case symbol(String)
        /// The end of a logical line.
        case newline
        /// One more level of block indentation (4 spaces or a tab).
        case indent
        case dedent
        case end
    }

    var kind: Kind
    var location: PineLocation
    /// The source text, for messages.
    var text: String
}

/// Splits Pine source into tokens. Indentation makes blocks: a line indented one more multiple of
/// four spaces (a tab counts four) than the line before opens a block; a line indented by some
/// other amount continues the line before (Pine's line wrapping), as does any line inside open
/// brackets. Comments (`//` to the end of the line) are dropped; `//@version=N` is read.
struct PineLexer {
    static let keywords: Set<String> = [
        "and", "or", "not", "if", "else", "for", "to", "by", "var", "varip", "true", "false", "switch", "while", "break", "continue",
        "import", "export", "method", "type", "in", "float", "int", "bool", "string", "color", "series", "simple", "const",
    ]
    /// Longest first, so `:=` is not read as `:` `=`.
    static let symbols = ["==", "!=", "<=", ">=", ":=", "+=", "-=", "*=", "/=", "%=", "=>", "+", "-", "*", "/", "%", "<", ">", "=", "?", ":", "(", ")", "[", "]", ",", "."]

    private(set) var tokens: [PineToken] = []
    /// The version `//@version=N` declared, and where.
    private(set) var version: (Int, PineLocation)?

    /// Tokenises `source`; the first problem is thrown with its line and column.
    init(_ source: String) throws(PineDiagnostic) {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        var levels = [0]
        var depth = 0
        var lineHasTokens = false
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            var line = raw
            if line.last == "\r" { line.removeLast() }
            var i = 0
            var width = 0
            while i < line.count, line[i] == " " || line[i] == "\t" {
                width += line[i] == "\t" ? 4 : 1
                i += 1
            }
            // Blank and comment-only lines say nothing about blocks.
            if i == line.count || (i + 1 < line.count && line[i] == "/" && line[i + 1] == "/") {
                if i + 1 < line.count, let v = Self.versionAnnotation(line[i...]) { version = (v, PineLocation(line: lineNumber, column: i + 1)) }
                continue
            }
            let here = PineLocation(line: lineNumber, column: i + 1)
            let continues = depth > 0 || (lineHasTokens && width % 4 != 0)
            if !continues {
                if lineHasTokens { tokens.append(PineToken(kind: .newline, location: here, text: "")) }
                guard width % 4 == 0 else {
                    throw PineDiagnostic(.syntax, at: here, text: "", "the first line cannot be indented; start it at column 1")
                }
                let level = width / 4
                if level > levels.last! {
                    guard level == levels.last! + 1, lineHasTokens else {
                        throw PineDiagnostic(.syntax, at: here, "this line is indented \(level - levels.last!) levels deeper than the one before; a block is indented 4 spaces more")
                    }
                    levels.append(level)
                    tokens.append(PineToken(kind: .indent, location: here, text: ""))
                } else {
                    while level < levels.last! {
                        levels.removeLast()
                        tokens.append(PineToken(kind: .dedent, location: here, text: ""))
                    }
                    guard level == levels.last! else {
                        throw PineDiagnostic(.syntax, at: here, "this line's indentation matches no open block; indent by multiples of 4 spaces")
                    }
                }
            }
            lineHasTokens = true
            try scan(line, from: i, line: lineNumber, depth: &depth)
        }
        let endLocation = PineLocation(line: lines.count, column: 1)
        if depth > 0 {
            let open = tokens.last(where: { $0.kind == .symbol("(") || $0.kind == .symbol("[") })
            throw PineDiagnostic(.syntax, at: open?.location ?? endLocation, text: open?.text ?? "", "this bracket is never closed")
        }
        if lineHasTokens { tokens.append(PineToken(kind: .newline, location: endLocation, text: "")) }
        for _ in levels.dropFirst() { tokens.append(PineToken(kind: .dedent, location: endLocation, text: "")) }
        tokens.append(PineToken(kind: .end, location: endLocation, text: ""))
    }

    /// `//@version=5` → 5.
    private static func versionAnnotation(_ text: ArraySlice<Unicode.Scalar>) -> Int? {
        let s = String(String(String.UnicodeScalarView(text)).filter { $0 != " " })
        guard s.hasPrefix("//@version=") else { return nil }
        return Int(s.dropFirst("//@version=".count))
    }

    private mutating func scan(_ line: [Unicode.Scalar], from start: Int, line number: Int, depth: inout Int) throws(PineDiagnostic) {
        var i = start
        func at(_ k: Int) -> Unicode.Scalar? { k < line.count ? line[k] : nil }
        while i < line.count {
            let c = line[i]
            let location = PineLocation(line: number, column: i + 1)
            if c == " " || c == "\t" {
                i += 1
                continue
            }
            if c == "/", at(i + 1) == "/" { return }
            if Self.isNameStart(c) {
                var j = i
                // Dotted names (`ta.sma`, `strategy.commission.percent`) are one token.
                while j < line.count, Self.isNamePart(line[j]) || (line[j] == "." && at(j + 1).map(Self.isNameStart) == true) { j += 1 }
                let text = String(String.UnicodeScalarView(line[i..<j]))
                tokens.append(PineToken(kind: Self.keywords.contains(text) ? .keyword(text) : .name(text), location: location, text: text))
                i = j
                continue
            }
            if c.properties.numericType != nil && c.isASCII || (c == "." && at(i + 1).map { $0.isASCII && $0.properties.numericType != nil } == true) {
                var j = i
                var integer = true
                while j < line.count, line[j].isASCII, line[j].properties.numericType != nil { j += 1 }
                if at(j) == ".", at(j + 1).map({ Self.isNameStart($0) }) != true {
                    integer = false
                    j += 1
                    while j < line.count, line[j].isASCII, line[j].properties.numericType != nil { j += 1 }
                }
                if at(j) == "e" || at(j) == "E" {
                    var k = j + 1
                    if at(k) == "+" || at(k) == "-" { k += 1 }
                    if let d = at(k), d.isASCII, d.properties.numericType != nil {
                        integer = false
                        j = k
                        while j < line.count, line[j].isASCII, line[j].properties.numericType != nil { j += 1 }
                    }
                }
                let text = String(String.UnicodeScalarView(line[i..<j]))
                guard let value = Double(text) else { throw PineDiagnostic(.syntax, at: location, text: text, "'\(text)' is not a number") }
                tokens.append(PineToken(kind: .number(value, integer: integer), location: location, text: text))
                i = j
                continue
            }
            if c == "\"" || c == "'" {
                var j = i + 1
                var value = String.UnicodeScalarView()
                while j < line.count, line[j] != c {
                    if line[j] == "\\", j + 1 < line.count {
                        j += 1
                        switch line[j] {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        default: value.append(line[j])
                        }
                    } else {
                        value.append(line[j])
                    }
                    j += 1
                }
                guard j < line.count else {
                    throw PineDiagnostic(.syntax, at: location, text: String(String.UnicodeScalarView(line[i...])).prefix(20).description, "this string is not closed on its line; add \(c)")
                }
                tokens.append(PineToken(kind: .string(String(value)), location: location, text: String(String.UnicodeScalarView(line[i...j]))))
                i = j + 1
                continue
            }
            if c == "#" {
                var j = i + 1
                while j < line.count, line[j].properties.isASCIIHexDigit { j += 1 }
                guard j - i == 7 || j - i == 9 else {
                    throw PineDiagnostic(.syntax, at: location, text: String(String.UnicodeScalarView(line[i..<j])), "a colour is # and 6 or 8 hex digits, e.g. #ff8800")
                }
                tokens.append(PineToken(kind: .color, location: location, text: String(String.UnicodeScalarView(line[i..<j]))))
                i = j
                continue
            }
            guard let symbol = Self.symbols.first(where: { s in s.unicodeScalars.enumerated().allSatisfy { at(i + $0.offset) == $0.element } }) else {
                throw PineDiagnostic(.syntax, at: location, text: String(c), "'\(c)' is not part of Pine here")
            }
            if symbol == "(" || symbol == "[" { depth += 1 }
            if symbol == ")" || symbol == "]" {
                guard depth > 0 else { throw PineDiagnostic(.syntax, at: location, text: symbol, "'\(symbol)' closes nothing; remove it or add the bracket it closes") }
                depth -= 1
            }
            tokens.append(PineToken(kind: .symbol(symbol), location: location, text: symbol))
            i += symbol.unicodeScalars.count
        }
    }

    private static func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
    private static func isNamePart(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || (c.isASCII && c.properties.numericType != nil) }
}
