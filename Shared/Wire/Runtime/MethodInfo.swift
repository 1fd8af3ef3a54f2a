/// A method of the contract described at run time: its `Service.Method` name, its shape and the
/// message types it takes and returns. `MethodCatalog.methods` lists every one.
public struct MethodInfo: Sendable {
    public let name: String
    public let serverStreaming: Bool
    public let request: any ProtoMessage.Type
    public let response: any ProtoMessage.Type

    public init(name: String, serverStreaming: Bool, request: any ProtoMessage.Type, response: any ProtoMessage.Type) {
        self.name = name
        self.serverStreaming = serverStreaming
        self.request = request
        self.response = response
    }
}
