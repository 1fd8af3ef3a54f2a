import Wire

/// The items of a server-streaming call. Iterating starts the call; leaving the loop early (or
/// cancelling the task) cancels it on the server.
public struct ResponseStream<Item: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Item
    @usableFromInline let open: @Sendable () async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error>

    @usableFromInline init(open: @escaping @Sendable () async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error>) {
        self.open = open
    }

    /// Starts the call on the first `next()` and decodes each item.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let open: @Sendable () async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error>
        @usableFromInline var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator?

        @usableFromInline init(open: @escaping @Sendable () async throws(RPCError) -> AsyncThrowingStream<[UInt8], any Error>) {
            self.open = open
        }

        @inlinable
        public mutating func next() async throws -> Item? {
            if base == nil { base = try await open().makeAsyncIterator() }
            guard let bytes = try await base!.next() else { return nil }
            do {
                return try Item(decoding: bytes)
            } catch {
                throw RPCError(code: .internal, message: "a stream item is not a valid \(Item.protoName): \(error.message)")
            }
        }
    }

    /// An iterator that starts the call when first advanced.
    @inlinable
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(open: open) }
}
