/// A failure talking to Redis.
public struct BusError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let connectionFailed = Code("bus.connection_failed")
        public static let connectionLost = Code("bus.connection_lost")
        public static let commandFailed = Code("bus.command_failed")
        public static let invalidChannel = Code("bus.invalid_channel")
        public static let closed = Code("bus.closed")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
