/// A SQL statement whose values are always bound parameters.
///
/// Written by string interpolation: every `\(value)` becomes `$n` and `value` is sent separately,
/// so no value is ever spliced into the text. Literal text comes only from the source code; the
/// one way to splice text is `unsafeRaw`, named so that reviewers see it.
///
///     let rows = try await store.query("SELECT id FROM orders WHERE account = \(account) AND qty > \(minQty)")
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    public private(set) var text: String
    public private(set) var parameters: [String?]

    public init(stringLiteral value: String) {
        self.text = value
        self.parameters = []
    }

    public init(stringInterpolation: Interpolation) {
        self.text = stringInterpolation.text
        self.parameters = stringInterpolation.parameters
    }

    /// Text used as is. Only for SQL that comes from the program itself (migration files, DDL with
    /// identifiers checked by `SQL.identifier`), never for values.
    public static func unsafeRaw(_ text: String) -> SQL {
        SQL(stringLiteral: text)
    }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        var parameters: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Binds `value` as the next parameter.
        public mutating func appendInterpolation(_ value: some SQLEncodable) {
            parameters.append(value.sqlText)
            text += "$\(parameters.count)"
        }

        /// Binds `value`, or NULL.
        public mutating func appendInterpolation(_ value: (some SQLEncodable)?) {
            parameters.append(value?.sqlText)
            text += "$\(parameters.count)"
        }

        /// Splices SQL text written in the program (a shared column list); a `StaticString`, so no
        /// value from outside can reach it.
        public mutating func appendInterpolation(unsafeRaw text: StaticString) {
            self.text += text.description
        }

        /// Splices a checked identifier (schema, table, column name), double-quoted.
        public mutating func appendInterpolation(identifier: SQLIdentifier) {
            text += identifier.quoted
        }
    }
}

/// A schema, table or column name that passed `^[a-z_][a-z0-9_]{0,62}$`, safe to splice quoted.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) throws(StoreError) {
        let ok = !name.isEmpty && name.utf8.count <= 63 && name.utf8.enumerated().allSatisfy { i, b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "_")
                || (i > 0 && b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        }
        guard ok else {
            throw StoreError(code: .invalidIdentifier, message: "\"\(name)\" is not a valid identifier: use lower-case letters, digits and _, starting with a letter or _, at most 63 characters")
        }
        self.name = name
    }

    var quoted: String { "\"\(name)\"" }
    public var description: String { name }
}
