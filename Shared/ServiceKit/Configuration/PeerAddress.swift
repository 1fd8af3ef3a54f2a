import Foundation
import Logging
import RPC

/// Where a peer service's RPC server listens, as configured (`peers.market_data=127.0.0.1:7002`).
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port, 1...65535.
    public var port: Int
    /// The service it is (`market-data`), as errors about it name it; nil when unknown.
    public var name: String?

    /// The peer at `host`:`port`.
    public init(host: String, port: Int, name: String? = nil) {
        self.host = host
        self.port = port
        self.name = name
    }

    /// Parses `host:port` (an IPv6 host in brackets: `[::1]:7002`); nil when malformed.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        self.init(host: host, port: port)
    }

    /// `host:port`, an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension ConfigValues {
    /// `key` as a peer address, or nil when unset or empty (the peer is not configured).
    public func peer(_ key: String) throws(ConfigError) -> PeerAddress? {
        let text = string(key, default: "")
        guard !text.isEmpty else { return nil }
        guard var address = PeerAddress(parsing: text) else {
            throw ConfigError(key: key, message: "\"\(text)\" is not host:port (e.g. 127.0.0.1:7002)")
        }
        // `peers.market_data` is the service `market-data`.
        address.name = key.split(separator: ".").last.map { $0.replacingOccurrences(of: "_", with: "-") }
        return address
    }
}

extension HostConfiguration {
    /// A client for a peer service, proving this host's RPC secret; run it as one of the host's services.
    public func peerClient(_ address: PeerAddress, logger: Logger) -> RPCClient {
        var c = RPCClientConfiguration(target: .tcp(host: address.host, port: address.port), secret: rpc.secret)
        c.name = service
        c.targetName = address.name
        c.tls = peerTLS
        return RPCClient(configuration: c, logger: logger)
    }
}
