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

    /// Tokenises `source`; the first problem is thrown with its line and column. It reads UTF-8
    /// bytes: Pine's syntax is ASCII, and only string literals and comments hold anything else.
    init(_ source: String) throws(PineDiagnostic) {
        let bytes = Array(source.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for (k, b) in bytes.enumerated() where b == 0x0A {
            lines.append(bytes[lineStart..<k])
            lineStart = k + 1
        }
        lines.append(bytes[lineStart...])
        var levels = [0]
        var depth = 0
        var lineHasTokens = false
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            var line = Array(raw)
            if line.last == 0x0D { line.removeLast() }
            let columns = Columns(line)
            var i = 0
            var width = 0
            while i < line.count, line[i] == 0x20 || line[i] == 0x09 {
                width += line[i] == 0x09 ? 4 : 1
                i += 1
            }
            // Blank and comment-only lines say nothing about blocks.
            if i == line.count || (i + 1 < line.count && line[i] == 0x2F && line[i + 1] == 0x2F) {
                if i + 1 < line.count, let v = Self.versionAnnotation(line[i...]) { version = (v, PineLocation(line: lineNumber, column: columns[i])) }
                continue
            }
            let here = PineLocation(line: lineNumber, column: columns[i])
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
            try scan(line, from: i, line: lineNumber, columns: columns, depth: &depth)
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

    /// Byte offsets to 1-based columns counted in characters (Unicode scalars).
    private struct Columns {
        let ascii: Bool
        let line: [UInt8]
        init(_ line: [UInt8]) {
            self.line = line
            ascii = line.allSatisfy { $0 < 0x80 }
        }
        subscript(_ i: Int) -> Int {
            ascii ? i + 1 : line[..<min(i, line.count)].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        }
    }

    /// `//@version=5` → 5.
    private static func versionAnnotation(_ text: ArraySlice<UInt8>) -> Int? {
        let s = String(decoding: text.filter { $0 != 0x20 }, as: UTF8.self)
        guard s.hasPrefix("//@version=") else { return nil }
        return Int(s.dropFirst("//@version=".count))
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    private static func isNameStart(_ b: UInt8) -> Bool { b == 0x5F || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    private static func isNamePart(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) }
    private static let symbolBytes = symbols.map { Array($0.utf8) }

    private mutating func scan(_ line: [UInt8], from start: Int, line number: Int, columns: Columns, depth: inout Int) throws(PineDiagnostic) {
        var i = start
        func at(_ k: Int) -> UInt8? { k < line.count ? line[k] : nil }
        while i < line.count {
            let c = line[i]
            let location = PineLocation(line: number, column: columns[i])
            if c == 0x20 || c == 0x09 {
                i += 1
                continue
            }
            if c == 0x2F, at(i + 1) == 0x2F { return }
            if Self.isNameStart(c) {
                var j = i
                // Dotted names (`ta.sma`, `strategy.commission.percent`) are one token.
                while j < line.count, Self.isNamePart(line[j]) || (line[j] == 0x2E && at(j + 1).map(Self.isNameStart) == true) { j += 1 }
                let text = Self.text(line[i..<j])
                tokens.append(PineToken(kind: Self.keywords.contains(text) ? .keyword(text) : .name(text), location: location, text: text))
                i = j
                continue
            }
            if Self.isDigit(c) || (c == 0x2E && at(i + 1).map(Self.isDigit) == true) {
                var j = i
                var integer = true
                while j < line.count, Self.isDigit(line[j]) { j += 1 }
                if at(j) == 0x2E, at(j + 1).map(Self.isNameStart) != true {
                    integer = false
                    j += 1
                    while j < line.count, Self.isDigit(line[j]) { j += 1 }
                }
                if at(j) == 0x65 || at(j) == 0x45 {
                    var k = j + 1
                    if at(k) == 0x2B || at(k) == 0x2D { k += 1 }
                    if let d = at(k), Self.isDigit(d) {
                        integer = false
                        j = k
                        while j < line.count, Self.isDigit(line[j]) { j += 1 }
                    }
                }
                let text = Self.text(line[i..<j])
                guard let value = Double(text) else { throw PineDiagnostic(.syntax, at: location, text: text, "'\(text)' is not a number") }
                tokens.append(PineToken(kind: .number(value, integer: integer), location: location, text: text))
                i = j
                continue
            }
            if c == 0x22 || c == 0x27 {
                var j = i + 1
                var value: [UInt8] = []
                while j < line.count, line[j] != c {
                    if line[j] == 0x5C, j + 1 < line.count {
                        j += 1
                        switch line[j] {
                        case 0x6E: value.append(0x0A)
                        case 0x74: value.append(0x09)
                        default: value.append(line[j])
                        }
                    } else {
                        value.append(line[j])
                    }
                    j += 1
                }
                guard j < line.count else {
                    throw PineDiagnostic(.syntax, at: location, text: String(Self.text(line[i...]).prefix(20)), "this string is not closed on its line; add \(Character(Unicode.Scalar(c)))")
                }
                tokens.append(PineToken(kind: .string(String(decoding: value, as: UTF8.self)), location: location, text: Self.text(line[i...j])))
                i = j + 1
                continue
            }
            if c == 0x23 {
                var j = i + 1
                while j < line.count, Self.isHex(line[j]) { j += 1 }
                guard j - i == 7 || j - i == 9 else {
                    throw PineDiagnostic(.syntax, at: location, text: Self.text(line[i..<j]), "a colour is # and 6 or 8 hex digits, e.g. #ff8800")
                }
                tokens.append(PineToken(kind: .color, location: location, text: Self.text(line[i..<j])))
                i = j
                continue
            }
            guard let s = Self.symbolBytes.firstIndex(where: { bytes in bytes.enumerated().allSatisfy { at(i + $0.offset) == $0.element } }) else {
                // The whole character, however many bytes it is.
                var j = i + 1
                while j < line.count, line[j] & 0xC0 == 0x80 { j += 1 }
                let character = Self.text(line[i..<j])
                throw PineDiagnostic(.syntax, at: location, text: character, "'\(character)' is not part of Pine here")
            }
            let symbol = Self.symbols[s]
            if symbol == "(" || symbol == "[" { depth += 1 }
            if symbol == ")" || symbol == "]" {
                guard depth > 0 else { throw PineDiagnostic(.syntax, at: location, text: symbol, "'\(symbol)' closes nothing; remove it or add the bracket it closes") }
                depth -= 1
            }
            tokens.append(PineToken(kind: .symbol(symbol), location: location, text: symbol))
            i += Self.symbolBytes[s].count
        }
    }
}
