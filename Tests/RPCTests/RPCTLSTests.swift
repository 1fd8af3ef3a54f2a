import Logging
import NIOCore
import NIOSSL
import RPC
import ServiceKitTesting
import Testing
import Wire

/// RPC between hosts over TLS, from certificate files: a client trusting the CA gets through; one
/// trusting another CA, or speaking plain TCP to a TLS server, does not.
@Suite("RPC over TLS")
struct RPCTLSTests {
    @Test("a TLS server answers a client that trusts its CA, by name and by address, and nobody else")
    func tls() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        var config = RPCServerConfiguration(secret: testSecret)
        config.tls = try RPCTLS.server(certificateFile: certificates.certificateFile, keyFile: certificates.keyFile)
        let server = try RPCServer(configuration: config, router: testRouter(), logger: Logger(label: "t"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            defer { group.cancelAll() }
            let port = try await server.localAddress.port!
            for host in ["localhost", "127.0.0.1"] {
                let answer = try await call(host: host, port: port, tls: try RPCTLS.client(caFile: certificates.caFile))
                #expect(answer == "answered 9", "\(host)")
            }
            let stranger = try await call(host: "127.0.0.1", port: port, tls: try RPCTLS.client(caFile: certificates.otherCAFile))
            #expect(stranger == "unavailable")
            let plain = try await call(host: "127.0.0.1", port: port, tls: nil)
            #expect(plain == "unavailable")
        }
        #expect(throws: RPCError.self) { try RPCTLS.server(certificateFile: certificates.directory + "/missing.pem", keyFile: certificates.keyFile) }
    }

    /// One echo over a new client: `answered 9`, or the failure's code.
    private func call(host: String, port: Int, tls: NIOSSLContext?) async throws -> String {
        var config = RPCClientConfiguration(target: .tcp(host: host, port: port), secret: testSecret)
        config.tls = tls
        config.connectWait = .seconds(1)
        config.backoff.maximum = .milliseconds(200)
        let client = RPCClient(configuration: config, logger: Logger(label: "t"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            do {
                return "answered \(try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 9)).seq)"
            } catch {
                return "\((error as? RPCError)?.code.description ?? "\(error)")"
            }
        }
    }
}
