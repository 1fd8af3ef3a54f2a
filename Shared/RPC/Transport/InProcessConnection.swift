import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connects a client to a server in the same process over a Unix socket pair: the whole stack
/// (framing, handshake, calls, back-pressure) runs, with no port and no TCP.
public enum InProcessConnection {
    static func connect(
        to server: RPCServer, on eventLoop: any EventLoop,
        initialize: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> any Channel {
        var fds: [Int32] = [0, 0]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw RPCError(code: .unavailable, message: "socketpair failed with errno \(errno)")
        }
        _ = try await NIOPipeBootstrap(group: server.group)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try server.initializePipeline(channel) } }
            .takingOwnershipOfDescriptor(inputOutput: fds[0]).get()
        return try await NIOPipeBootstrap(group: eventLoop)
            .channelInitializer(initialize)
            .takingOwnershipOfDescriptor(inputOutput: fds[1]).get()
    }
}
