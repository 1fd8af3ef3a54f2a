import NIOCore
import NIOSSL
import Wire

/// Settings of an `RPCServer`.
public struct RPCServerConfiguration: Sendable {
    /// Address to listen on; loopback by default.
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (read it back from `RPCServer.localAddress`).
    public var port: Int = 0
    /// The secret every client proves in the hello frame (at least 16 bytes) when `callers` is nil:
    /// one shared secret, any method (tests, in-process use).
    public var secret: [UInt8]
    /// TLS for connections between hosts (certificates from files: `RPCTLS.server`); nil: plain
    /// TCP. In-process connections never use it.
    public var tls: NIOSSLContext?
    /// Service identities: each caller proves its own secret and may call only its methods.
    /// Services read from configuration always have one (`HostConfiguration.read`).
    public var callers: CallerPolicy?
    /// Name this server gives in logs.
    public var name: String = "tradewind"
    /// Largest frame accepted; longer frames are refused with an error frame and the connection closed.
    public var maxFrameBytes: Int = 4 << 20
    /// Calls in flight per connection; more are refused with `resource_exhausted`.
    public var maxConcurrentStreams: Int = 1024
    /// How long a new connection may take to send a valid hello.
    public var handshakeTimeout: TimeAmount = .seconds(5)
    /// How long shutdown waits for in-flight calls before cancelling them.
    public var drainTimeout: TimeAmount = .seconds(10)

    /// Loopback, a free port and the defaults above, with `secret`.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// Why `hello` does not prove its caller (nil when it does): with service identities, the named
    /// caller must be known and prove its own secret; without, the shared secret.
    func refusal(of hello: PB.Handshake, nonce: [UInt8]) -> String? {
        guard let callers else {
            return Handshake.verify(mac: hello.mac, secret: secret, nonce: nonce)
                ? nil : "the hello does not prove the shared secret; check rpc.secret on both sides"
        }
        let caller = hello.peerName.prefix(64)
        guard let secret = callers.secrets[hello.peerName] else {
            return "\(name) does not know the caller \"\(caller)\"; list its secret in rpc.callers on \(name)"
        }
        return Handshake.verify(mac: hello.mac, secret: secret, nonce: nonce)
            ? nil : "the hello does not prove \(caller)'s secret; its rpc.secret must match its entry in rpc.callers on \(name)"
    }

    /// Checks every value; the error names the setting and what would be accepted.
    public func validate() throws(RPCError) {
        func bad(_ m: String) -> RPCError { RPCError(code: .invalidArgument, message: m) }
        if let callers { try callers.validate() } else {
            guard secret.count >= 16 else { throw bad("rpc secret must be at least 16 bytes (got \(secret.count))") }
        }
        guard (0...65535).contains(port) else { throw bad("rpc port \(port) is outside 0...65535") }
        guard (64...(1 << 30)).contains(maxFrameBytes) else { throw bad("rpc maxFrameBytes \(maxFrameBytes) is outside 64...1073741824") }
        guard (1...1_000_000).contains(maxConcurrentStreams) else {
            throw bad("rpc maxConcurrentStreams \(maxConcurrentStreams) is outside 1...1000000")
        }
    }
}
