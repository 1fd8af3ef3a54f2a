/// Where something is in a Pine script: 1-based line and column.
public struct PineLocation: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in characters.
    public var column: Int

    /// The place at `line` and `column`.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// One error or warning about a Pine script: a stable code, where (line and column), the text
/// found there and a message that says what to do.
public struct PineDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable identifiers, for programs.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The text is not Pine: an unexpected character or token, a bad indent, an unclosed bracket.
        case syntax = "pine.syntax"
        /// No `//@version=5` or `//@version=6`, or another version.
        case version = "pine.version"
        /// A name no script, built-in or input declares.
        case unknownName = "pine.unknown_name"
        /// A name declared twice in one scope.
        case duplicate = "pine.duplicate"
        /// A value of the wrong type or qualifier (a series where a simple int is required).
        case type = "pine.type"
        /// A wrong argument: unknown name, missing, repeated or out of range.
        case argument = "pine.argument"
        /// Valid Pine that Tradewind does not run (arrays, request.security, drawings…).
        case unsupported = "pine.unsupported"
        /// An `indicator()` script, or one with no `strategy()` declaration or no entries.
        case notAStrategy = "pine.not_a_strategy"
        /// A warning: accepted, but not exactly as TradingView would (ignored display calls, varip).
        case warning = "pine.warning"
    }

    /// What kind of problem it is.
    public var code: Code
    /// Where in the script.
    public var location: PineLocation
    /// The source text at the location (a token or a line's start), for the message.
    public var text: String
    /// What is wrong and what to do.
    public var message: String

    /// A diagnostic of `code` at `location` about `text`.
    public init(_ code: Code, at location: PineLocation, text: String = "", _ message: String) {
        self.code = code
        self.location = location
        self.text = text
        self.message = message
    }

    /// `12:9 ta.smma is not a Pine function; did you mean ta.sma or ta.rma?`
    public var description: String { "\(location) \(message)" }
}
