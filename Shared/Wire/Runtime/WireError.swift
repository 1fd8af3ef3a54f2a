/// What went wrong turning bytes into messages or messages into bytes.
///
/// `code` is stable (programs branch on it, logs and metrics carry it); `message` says, for a
/// person, what was wrong and where.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier of the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The dotted name, e.g. `wire.malformed_message`.
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The bytes are not a valid encoding of the expected message.
        public static let malformedMessage = Code("wire.malformed_message")
        /// A string field holds bytes that are not UTF-8.
        public static let invalidUTF8 = Code("wire.invalid_utf8")
        /// A string contains a NUL byte, which protobuf-c's C strings cannot carry.
        public static let nulInString = Code("wire.nul_in_string")
        /// A frame's declared length is over the configured maximum.
        public static let frameTooLarge = Code("wire.frame_too_large")
        /// A JSON document does not fit the message it should describe.
        public static let invalidJSON = Code("wire.invalid_json")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    @usableFromInline static func malformed(_ type: String, length: Int) -> WireError {
        WireError(code: .malformedMessage, message: "\(length) bytes are not a valid \(type) message")
    }
}
