import NIOCore
import Wire

/// How a handler's task answers its call: it reaches the connection on its event loop, directly
/// when already there (the usual case, see `EventLoopTaskExecutor`), else by a hop.
public struct CallSink: Sendable {
    let connection: ServerConnectionHandler
    let streamID: UInt64

    @usableFromInline
    func respond(payload: [UInt8]) {
        onLoop { $0.respond(streamID, payload: payload) }
    }

    @usableFromInline
    func streamItem(payload: [UInt8]) async throws {
        let loop = connection.eventLoop
        if loop.inEventLoop {
            if let wait = try connection.streamItem(streamID, payload: payload) { try await wait.get() }
        } else {
            let connection = self.connection, id = streamID
            try await loop.flatSubmit {
                do {
                    return try connection.streamItem(id, payload: payload) ?? loop.makeSucceededVoidFuture()
                } catch {
                    return loop.makeFailedFuture(error)
                }
            }.get()
        }
    }

    func finish() {
        onLoop { $0.finish(streamID) }
    }

    func fail(_ error: any Error) {
        onLoop { $0.fail(streamID, error: error) }
    }

    private func onLoop(_ body: @escaping @Sendable (ServerConnectionHandler) -> Void) {
        let connection = self.connection
        if connection.eventLoop.inEventLoop {
            body(connection)
        } else {
            connection.eventLoop.execute { body(connection) }
        }
    }
}
