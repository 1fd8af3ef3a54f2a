import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Where a connection's messages are written. Straight onto the channel, a batch per event-loop
/// hop with one flush, awaiting the last write (so a client that stops reading holds the writer,
/// and its outbox conflates); or, for a connection that negotiated permessage-deflate, through the
/// WebSocket library one message at a time, which compresses them. Both send each message as one
/// text frame whose payload is the shared rendering, never a copy.
enum LiveWriter: Sendable {
    case channel(any Channel)
    case library(WebSocketOutboundWriter)

    func write(_ texts: [ByteBuffer]) async throws {
        guard let last = texts.last else { return }
        switch self {
        case .channel(let channel):
            let written = channel.eventLoop.flatSubmit {
                for text in texts.dropLast() { channel.write(WebSocketFrame(fin: true, opcode: .text, data: text), promise: nil) }
                return channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: last))
            }
            // Cancelled (the session is ending) while a client that stopped reading holds the write:
            // the connection is closed, which fails the write, so the session never waits on it.
            try await withTaskCancellationHandler { try await written.get() } onCancel: { channel.close(promise: nil) }
        case .library(let outbound):
            for text in texts { try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: text))) }
        }
    }
}
