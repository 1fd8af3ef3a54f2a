import ArgumentParser
import Foundation
import Logging
import RPC
import ServiceKit
import Wire

/// `tradewind call HOST:PORT Service.Method --json '{…}'`: JSON in, JSON out, for any method of
/// the contract, like grpcurl.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Call a method with a JSON request and print the JSON response.")

    @Argument(help: "The server, HOST:PORT.")
    var address: String

    @Argument(help: "The method, Service.Method (see `tradewind methods`).")
    var method: String

    @Option(help: "The request as a JSON object (proto3 JSON names); default {}.")
    var json: String = "{}"

    @Option(help: "The caller's RPC secret (default: $TRADEWIND_RPC_SECRET, else the identity's development secret, which only a development-profile service accepts).")
    var secret: String?

    @Option(help: "The identity to call as: the name the server knows the secret of (rpc.callers) and checks its allow-list for.")
    var identity = ServiceIdentities.operatorName

    @Option(help: "Deadline in milliseconds.")
    var timeoutMs: Int = 10_000

    func run() async throws {
        guard let info = MethodCatalog.methods[method] else {
            throw ValidationError("unknown method \(method); `tradewind methods` lists them")
        }
        let target = try parseAddress(address)
        let payload: [UInt8]
        do {
            payload = try ProtoJSON.encode(json: json, as: info.request)
        } catch {
            throw ValidationError("the request is not a valid \(info.request.protoName): \(error.message)")
        }
        try await withClient(target: target, secret: secret, identity: identity) { client in
            let options = CallOptions(timeout: .milliseconds(timeoutMs))
            if info.serverStreaming {
                for try await item in try await client.openStream(method: method, payload: payload, options: options) {
                    print(try ProtoJSON.decode(item, as: info.response))
                }
            } else {
                let bytes = try await client.unary(method: method, payload: payload, options: options)
                print(try ProtoJSON.decode(bytes, as: info.response))
            }
        }
    }
}

/// `tradewind methods`: every method of the contract.
struct Methods: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every RPC method with its request and response types.")

    func run() {
        for name in MethodCatalog.methods.keys.sorted() {
            let m = MethodCatalog.methods[name]!
            print("\(name)(\(m.request.protoName)) -> \(m.serverStreaming ? "stream " : "")\(m.response.protoName)")
        }
    }
}

func parseAddress(_ address: String) throws -> RPCTarget {
    guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
        throw ValidationError("address \"\(address)\" must be HOST:PORT")
    }
    return .tcp(host: String(address[..<colon]), port: port)
}

/// The secret `identity` proves: given, else `$TRADEWIND_RPC_SECRET`, else its development one.
func rpcSecret(_ explicit: String?, identity: String = ServiceIdentities.operatorName) -> [UInt8] {
    if let given = explicit ?? ProcessInfo.processInfo.environment["TRADEWIND_RPC_SECRET"] { return Array(given.utf8) }
    return ServiceIdentities.developmentSecret(identity)
}

/// Runs `body` with a connected client, then shuts the client down.
func withClient<R: Sendable>(
    target: RPCTarget, secret: String?, identity: String = ServiceIdentities.operatorName, _ body: @Sendable (RPCClient) async throws -> R
) async throws -> R {
    var logger = Logger(label: "tradewind")
    logger.logLevel = .error
    var config = RPCClientConfiguration(target: target, secret: rpcSecret(secret, identity: identity))
    config.name = identity
    config.connectWait = .seconds(3)
    let client = RPCClient(configuration: config, logger: logger)
    return try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await client.run(); return nil }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
