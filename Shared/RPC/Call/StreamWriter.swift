import Wire

/// Where a server-streaming handler writes its items. `write` waits while the connection's send
/// buffer is full, so a slow client slows the handler down instead of growing memory.
public struct StreamWriter<Item: ProtoMessage>: Sendable {
    @usableFromInline let sink: CallSink

    @usableFromInline init(sink: CallSink) { self.sink = sink }

    /// Sends one item; throws `cancelled` once the client has gone or cancelled.
    @inlinable
    public func write(_ item: Item) async throws {
        try Task.checkCancellation()
        try await sink.streamItem(payload: item.encodedBytes())
    }
}
