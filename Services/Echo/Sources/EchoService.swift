import Bus
import Contract
import Foundation
import RPC
import ServiceKit
import Store
import Wire

/// The example service: the smallest complete Tradewind service. It serves Diagnostics; `Echo`
/// calls with text are stored in its own schema and published on `tw.sys.echo`.
public func buildEcho(configuration: HostConfiguration) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = Bundle.module.path(forResource: "Migrations", ofType: nil)
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        EchoDiagnostics(resources: resources, startedAtNs: WallClock.nowNs).registerMethods(with: &router)
    }
}

struct EchoDiagnostics: AuditedDiagnostics {
    let resources: HostResources
    let startedAtNs: Int64
    var audit: AuditTrail { resources.audit }

    func info(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ServiceInfo {
        PB.ServiceInfo(service: resources.configuration.service, version: resources.configuration.version, startedAtNs: startedAtNs,
                       methods: [DiagnosticsMethods.count.fullName, DiagnosticsMethods.echo.fullName, DiagnosticsMethods.info.fullName])
    }

    func echo(_ request: PB.EchoMessage, context: ServerCallContext) async throws -> PB.EchoMessage {
        if !request.text.isEmpty {
            guard request.text.utf8.count <= 4096 else {
                throw RPCError(code: .invalidArgument, message: "text is \(request.text.utf8.count) bytes; at most 4096 are stored")
            }
            if let store = resources.store {
                try await store.execute("INSERT INTO messages (text, peer) VALUES (\(request.text), \(context.peerName))")
            }
            _ = try resources.bus?.publish(BusChannel.system("echo"), request)
        }
        return request
    }

    func count(_ request: PB.CountRequest, context: ServerCallContext, writer: StreamWriter<PB.EchoMessage>) async throws {
        guard request.count <= 10_000_000 else { throw RPCError(code: .invalidArgument, message: "count is at most 10000000") }
        for i in 0..<request.count { try await writer.write(PB.EchoMessage(seq: i, payload: request.payload)) }
    }
}
