import NIOCore
import NIOSSL

/// TLS for RPC between hosts, from PEM files: the server proves its certificate, the client checks
/// it against a CA and the host it dialled. (Who the client is, the handshake's per-service HMAC
/// still proves, inside the encrypted connection.)
public enum RPCTLS {
    /// A server context: its certificate chain and private key.
    public static func server(certificateFile: String, keyFile: String) throws(RPCError) -> NIOSSLContext {
        let configuration = try serverConfiguration(certificateFile: certificateFile, keyFile: keyFile)
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw RPCError(code: .invalidArgument, message: "cannot use the TLS certificate \(certificateFile) and key \(keyFile): \(error)")
        }
    }

    /// A server's TLS configuration (TLS 1.2 or later) from PEM files: RPC servers' and the
    /// gateway's HTTPS alike.
    public static func serverConfiguration(certificateFile: String, keyFile: String) throws(RPCError) -> TLSConfiguration {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return configuration
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot load the TLS certificate \(certificateFile) and key \(keyFile): \(error)")
        }
    }

    /// A client context trusting the CA certificates in `caFile`.
    public static func client(caFile: String) throws(RPCError) -> NIOSSLContext {
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            configuration.certificateVerification = .fullVerification
            configuration.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot load the TLS CA certificates \(caFile): \(error)")
        }
    }
}

extension RPCClient {
    /// True for an IPv4 or IPv6 literal (checked against the certificate's IP SANs, not a name).
    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
