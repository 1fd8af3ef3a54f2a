import ArgumentParser
import CBenchBaselines
import Contract
import Logging
import NIOCore
import NIOPosix
import RPC
import ServiceKit
import Wire

/// Unary latency and throughput, pipelining and streaming over one loopback TCP connection,
/// against a raw C framed ping-pong and pipelined echo measured in the same run.
///
/// The sequential figures are taken twice, with both ends pinned: on one CPU (`unary_p50_us`,
/// what a round trip costs in CPU, kernel included) and on two (`…_two_cpus`, plus the wake-up of
/// the other CPU). Left to the scheduler, a ping-pong's two threads settle either on one CPU or on
/// two and stay there, and on this VM the two cost 13 or 70 µs for the same C code: an unpinned
/// ratio compared whichever placement each side happened to get.
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc", abstract: "RPC calls vs raw C over loopback TCP.")

    @Option(help: "Sequential unary calls per placement.") var calls = 20_000
    @Option(help: "Calls per pipelined round (best of three).") var pipelined = 200_000
    @Option(help: "Calls in flight for the pipelined run.") var inFlight = 128
    @Option(help: "Stream items.") var items = 1_000_000

    /// Which CPUs the client and the server end of the sequential ping-pong run on.
    struct Placement: Sendable {
        let suffix: String
        let clientCPU: Int32
        let serverCPU: Int32
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let secret = Array("bench-secret-0123456789".utf8)
        var router = Router()
        BenchDiagnostics().registerMethods(with: &router)
        var serverConfig = RPCServerConfiguration(secret: secret)
        serverConfig.maxConcurrentStreams = 4096
        // Server and client on separate event loops, as two processes would be.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try RPCServer(configuration: serverConfig, router: router, group: serverGroup, logger: logger)
        let request = PB.EchoMessage(seq: 1, payload: Array(repeating: 7, count: 64))
        let payloadBytes = try PB.Envelope(streamId: 1, kind: .request, method: "Diagnostics.Echo", timeoutNs: 30_000_000_000, payload: request.encodedBytes()).encodedBytes().count

        let allowed = try Self.allowedCPUs()
        let oneCPU = Placement(suffix: "", clientCPU: allowed[0], serverCPU: allowed[0])
        let placements = allowed.count > 1 ? [oneCPU, Placement(suffix: "_two_cpus", clientCPU: allowed[0], serverCPU: allowed[1])] : [oneCPU]

        // Baselines first, on a quiet machine.
        var cFigures: [(String, Double)] = []
        var cP50: [String: Double] = [:]
        for placement in placements {
            var samples = [UInt64](repeating: 0, count: calls)
            guard tw_base_tcp_pingpong(calls, payloadBytes, &samples, placement.clientCPU, placement.serverCPU) == 0 else {
                throw ValidationError("C ping-pong baseline failed")
            }
            let sorted = samples.map { Double($0) / 1000 }.sorted()
            cP50[placement.suffix] = percentile(sorted, 0.5)
            cFigures += [
                ("c_pingpong_p50_us" + placement.suffix, percentile(sorted, 0.5)),
                ("c_pingpong_p99_us" + placement.suffix, percentile(sorted, 0.99)),
            ]
        }
        let cPipelined = tw_base_tcp_pipelined(pipelined * 4, payloadBytes, inFlight)

        let figures: [(String, Double)] = try await withThrowingTaskGroup(of: [(String, Double)]?.self) { group in
            group.addTask { try await server.run(); return nil }
            let port = try await server.localAddress.port!
            var clientConfig = RPCClientConfiguration(target: .tcp(host: "127.0.0.1", port: port), secret: secret)
            clientConfig.streamBufferItems = 1 << 20
            let client = RPCClient(configuration: clientConfig, group: clientGroup, logger: logger)
            group.addTask { try await client.run(); return nil }
            group.addTask(executorPreference: client.executor) {
                try await measure(
                    client: client, serverLoop: serverGroup.next(), request: request, placements: placements, allowed: allowed)
            }
            var result: [(String, Double)] = []
            while let next = try await group.next() {
                if let figures = next {
                    result = figures
                    group.cancelAll()
                }
            }
            return result
        }
        let ratios = placements.map { placement in
            ("p50_ratio_to_c" + placement.suffix,
             (figures.first { $0.0 == "unary_p50_us" + placement.suffix }?.1 ?? .nan) / cP50[placement.suffix]!)
        }
        printFigures("rpc", figures + cFigures + [("c_pipelined_per_s", cPipelined), ("frame_bytes", Double(payloadBytes + 4))] + ratios)
        try await serverGroup.shutdownGracefully()
        try await clientGroup.shutdownGracefully()
    }

    /// Runs on the client's event loop (executor preference), as a latency-sensitive caller would.
    func measure(
        client: RPCClient, serverLoop: any EventLoop, request: PB.EchoMessage, placements: [Placement], allowed: [Int32]
    ) async throws -> [(String, Double)] {
        let diagnostics = DiagnosticsClient(client)
        // Wait for the connection, then warm up.
        for attempt in 0..<200 {
            if (try? await diagnostics.echo(request)) != nil { break }
            if attempt == 199 { throw ValidationError("no connection to the bench server") }
            try await Task.sleep(for: .milliseconds(10))
        }
        for _ in 0..<2_000 { _ = try await diagnostics.echo(request) }

        var figures: [(String, Double)] = []
        for placement in placements {
            try await pin(client.eventLoop, to: [placement.clientCPU])
            try await pin(serverLoop, to: [placement.serverCPU])
            for _ in 0..<200 { _ = try await diagnostics.echo(request) }
            var samples: [Double] = []
            samples.reserveCapacity(calls)
            let seqStart = nowNs()
            for _ in 0..<calls {
                let t0 = nowNs()
                _ = try await diagnostics.echo(request)
                samples.append(Double(nowNs() - t0) / 1000)
            }
            let seqSeconds = Double(nowNs() - seqStart) / 1e9
            samples.sort()
            figures += [
                ("unary_p50_us" + placement.suffix, percentile(samples, 0.5)),
                ("unary_p99_us" + placement.suffix, percentile(samples, 0.99)),
                ("unary_per_s" + placement.suffix, Double(calls) / seqSeconds),
            ]
        }
        // Throughput with the scheduler free to use every CPU.
        try await pin(client.eventLoop, to: allowed)
        try await pin(serverLoop, to: allowed)

        // The best of three rounds, as the codec bench does: on a shared 2-core machine one round
        // can lose a third of its rate to a neighbour.
        let perWorker = pipelined / inFlight
        var pipeSeconds = Double.infinity
        for _ in 0..<3 {
            let pipeStart = nowNs()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<inFlight {
                    group.addTask(executorPreference: client.executor) {
                        for _ in 0..<perWorker { _ = try await diagnostics.echo(request) }
                    }
                }
                try await group.waitForAll()
            }
            pipeSeconds = min(pipeSeconds, Double(nowNs() - pipeStart) / 1e9)
        }

        let streamStart = nowNs()
        var received = 0
        for try await _ in diagnostics.count(PB.CountRequest(count: UInt64(items), payload: Array(repeating: 1, count: 32))) { received += 1 }
        let streamSeconds = Double(nowNs() - streamStart) / 1e9

        return figures + [
            ("pipelined_per_s", Double(perWorker * inFlight) / pipeSeconds),
            ("stream_items_per_s", Double(received) / streamSeconds),
        ]
    }

    /// The CPUs this process may run on.
    static func allowedCPUs() throws -> [Int32] {
        var cpus = [Int32](repeating: 0, count: 256)
        let count = Int(tw_allowed_cpus(&cpus, Int32(cpus.count)))
        guard count > 0 else { throw ValidationError("cannot read this process's CPU affinity") }
        return Array(cpus.prefix(count))
    }

    /// Restricts `loop`'s thread to `cpus`.
    func pin(_ loop: any EventLoop, to cpus: [Int32]) async throws {
        let ok = try await loop.submit { cpus.withUnsafeBufferPointer { tw_set_thread_cpus($0.baseAddress, $0.count) } == 0 }.get()
        guard ok else { throw ValidationError("cannot pin an event loop to CPUs \(cpus)") }
    }
}

/// Diagnostics for the bench: echo and a counting stream, no I/O.
struct BenchDiagnostics: AuditedDiagnostics {
    let audit = AuditTrail(store: nil, logger: Logger(label: "bench"))
    func info(_ request: PB.Empty, context: ServerCallContext) async throws -> PB.ServiceInfo { PB.ServiceInfo(service: "bench") }
    func echo(_ request: PB.EchoMessage, context: ServerCallContext) async throws -> PB.EchoMessage { request }
    func count(_ request: PB.CountRequest, context: ServerCallContext, writer: StreamWriter<PB.EchoMessage>) async throws {
        for i in 0..<request.count { try await writer.write(PB.EchoMessage(seq: i, payload: request.payload)) }
    }
}
