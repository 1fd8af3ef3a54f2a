/// A failed database operation, with a stable code and Postgres's SQLSTATE where there is one.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let connectionFailed = Code("store.connection_failed")
        public static let queryFailed = Code("store.query_failed")
        /// A unique or primary-key constraint refused the row (SQLSTATE 23505).
        public static let uniqueViolation = Code("store.unique_violation")
        /// A foreign-key, check or not-null constraint refused the row (SQLSTATE 23xxx).
        public static let constraintViolation = Code("store.constraint_violation")
        /// The role may not touch that object (SQLSTATE 42501).
        public static let permissionDenied = Code("store.permission_denied")
        /// A column did not decode into the requested Swift type.
        public static let decodingFailed = Code("store.decoding_failed")
        public static let invalidIdentifier = Code("store.invalid_identifier")
        public static let migrationFailed = Code("store.migration_failed")
        public static let closed = Code("store.closed")
    }

    public var code: Code
    public var message: String
    /// Postgres's SQLSTATE, e.g. `23505`; empty when the error did not come from the server.
    public var sqlState: String

    public init(code: Code, message: String, sqlState: String = "") {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String { sqlState.isEmpty ? "\(code): \(message)" : "\(code) [\(sqlState)]: \(message)" }

    static func fromServer(sqlState: String, message: String) -> StoreError {
        let code: Code =
            switch sqlState {
            case "23505": .uniqueViolation
            case let s where s.hasPrefix("23"): .constraintViolation
            case "42501": .permissionDenied
            case let s where s.hasPrefix("08"): .connectionFailed
            default: .queryFailed
            }
        return StoreError(code: code, message: message, sqlState: sqlState)
    }
}
