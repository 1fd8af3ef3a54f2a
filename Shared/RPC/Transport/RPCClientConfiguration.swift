import NIOCore
import NIOSSL

/// Settings of an `RPCClient`.
public struct RPCClientConfiguration: Sendable {
    /// Where to connect.
    public var target: RPCTarget
    /// Shared secret to prove in the hello frame (must equal the server's).
    public var secret: [UInt8]
    /// Name given to the server (appears in its logs).
    public var name: String = "tradewind-client"
    /// What the target is called in error messages (`market-data`), so that a caller told a peer is
    /// unavailable learns which one; nil names it by address only.
    public var targetName: String?
    /// Deadline of a unary call when the call sets none.
    public var defaultTimeout: Duration = .seconds(30)
    /// How long a call waits for a connection that is being made before failing with `unavailable`.
    public var connectWait: Duration = .seconds(2)
    /// TCP connect timeout.
    public var connectTimeout: TimeAmount = .seconds(2)
    /// Reconnect backoff: first delay, cap, and jitter fraction.
    public var backoff = Backoff()
    /// A ping is sent after this long without inbound frames...
    public var keepaliveInterval: TimeAmount = .seconds(10)
    /// ...and the connection is dropped when its pong takes longer than this.
    public var keepaliveTimeout: TimeAmount = .seconds(5)
    /// TLS to the server (`RPCTLS.client`), checking its certificate against the CA and its
    /// name against the target host; nil: plain TCP.
    public var tls: NIOSSLContext?
    /// Largest frame accepted from the server.
    public var maxFrameBytes: Int = 4 << 20
    /// Items a server stream may buffer ahead of its consumer before it is failed.
    public var streamBufferItems: Int = 4096

    /// The target as error messages name it: `market-data (127.0.0.1:7002)` or the address alone.
    public var targetLabel: String { targetName.map { "\($0) (\(target))" } ?? "\(target)" }

    /// Defaults for everything but where to connect and the secret.
    public init(target: RPCTarget, secret: [UInt8]) {
        self.target = target
        self.secret = secret
    }
}

/// Where a client connects.
public enum RPCTarget: Sendable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    /// A server in this process, over a socket pair (`RPCServer.connectInProcess()`).
    case inProcess(RPCServer)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "\(host):\(port)"
        case .inProcess(let server): "in-process \(server.configuration.name)"
        }
    }
}
