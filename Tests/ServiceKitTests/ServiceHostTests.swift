import Bus
import Contract
import EchoService
import Foundation
import NIOCore
import RPC
import ServiceKit
import ServiceKitTesting
import Store
import Testing
import Wire

@Suite("A service host against real Postgres and Redis", .timeLimit(.minutes(2)))
struct ServiceHostTests {
    @Test("the example service migrates its schema, persists echoes, publishes them and reports itself")
    func echoService() async throws {
        try await ServiceHarness.withHost(service: "echo", build: buildEcho) { host, client in
            let diagnostics = DiagnosticsClient(client)
            var info: PB.ServiceInfo?
            for _ in 0..<100 where info == nil {
                info = try? await diagnostics.info(PB.Empty())
                if info == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(info?.service == "echo")
            #expect(info?.methods.contains("Diagnostics.Echo") == true)

            let bus = try #require(host.resources.bus)
            let subscription = try bus.subscribe(channels: [BusChannel.system("echo")])
            defer { subscription.cancel() }
            try await subscription.waitUntilSubscribed()
            #expect(try await diagnostics.echo(PB.EchoMessage(seq: 1, text: "hello")).text == "hello")
            for await (_, message) in bus.messages(PB.EchoMessage.self, from: subscription) {
                #expect(message?.text == "hello")
                break
            }
            let rows = try await host.resources.store!.query("SELECT text FROM messages")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(String.self, at: 0) == "hello")

            let error = await #expect(throws: RPCError.self) {
                _ = try await diagnostics.echo(PB.EchoMessage(text: String(repeating: "x", count: 5000)))
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("the admin port serves healthz, readyz and Prometheus metrics")
    func adminPort() async throws {
        try await ServiceHarness.withHost(service: "echo", build: buildEcho) { host, client in
            _ = try? await DiagnosticsClient(client).echo(PB.EchoMessage())
            var port: Int?
            for _ in 0..<100 where port == nil {
                port = host.admin.localAddress?.port
                if port == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let admin = try #require(port)
            #expect(await HTTPProbe.get(port: admin, path: "/healthz")?.status == 200)
            #expect(await HTTPProbe.get(port: admin, path: "/readyz")?.status == 200)
            let metrics = try #require(await HTTPProbe.get(port: admin, path: "/metrics"))
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("rpc_server_calls_total"))
            #expect(await HTTPProbe.get(port: admin, path: "/nope")?.status == 404)
        }
    }

    @Test("readyz says which dependency is missing")
    func notReady() async throws {
        try await ServiceHarness.withHost(service: "echo", configure: { $0.bus?.port = 1 }, build: buildEcho) { host, _ in
            var port: Int?
            for _ in 0..<100 where port == nil {
                port = host.admin.localAddress?.port
                if port == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            let probe = await HTTPProbe.get(port: try #require(port), path: "/readyz")
            #expect(probe?.status == 503)
            #expect(probe?.body.contains("redis") == true)
        }
    }
}
