import Wire

/// Whether a method answers once or streams.
public enum MethodKind: Sendable, Hashable {
    case unary
    case serverStreaming
}

/// A typed method of a service: its wire name (`Service.Method`) and message types.
public struct MethodDescriptor<Request: ProtoMessage, Response: ProtoMessage>: Sendable, Hashable {
    /// The service name, e.g. `MarketData`.
    public let service: String
    /// The method name, e.g. `GetQuote`.
    public let method: String
    /// Unary or server-streaming.
    public let kind: MethodKind
    /// `Service.Method`, the name carried in the envelope.
    public let fullName: String

    /// A descriptor for `service.method`.
    public init(service: String, method: String, kind: MethodKind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.fullName = "\(service).\(method)"
    }
}
