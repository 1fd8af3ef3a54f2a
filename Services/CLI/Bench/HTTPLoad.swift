import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A closed-loop HTTP/1.1 load generator (what `wrk` does): `connections` keep-alive connections,
/// each sending the same request again as soon as the previous response is complete, for
/// `seconds`. Responses are framed by `Content-Length`; anything else ends the run with an error.
/// Runs on an event loop of its own so that it competes with the server as another process would.
struct HTTPLoad {
    struct Result {
        var requests: Int
        var seconds: Double
        var non2xx: Int
        /// Latencies in milliseconds, sorted.
        var latencies: [Double]
    }

    let port: Int
    let request: [UInt8]

    /// `GET path` with `headers`, kept alive.
    init(port: Int, path: String, headers: [String: String]) {
        self.port = port
        let lines = ["GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)"] + headers.map { "\($0.key): \($0.value)" }
        request = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    func run(connections: Int, seconds: Double, group: any EventLoopGroup) async throws -> Result {
        let recorders = (0..<connections).map { _ in LatencyRecorder() }
        let channels = try await withThrowingTaskGroup(of: (any Channel).self) { tasks in
            for recorder in recorders {
                tasks.addTask {
                    try await ClientBootstrap(group: group)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .channelInitializer { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(LoadConnection(request: request, recorder: recorder))
                            }
                        }
                        .connect(host: "127.0.0.1", port: port).get()
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        let start = nowNs()
        for channel in channels { channel.pipeline.fireUserInboundEventTriggered(LoadConnection.Go()) }
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        for recorder in recorders { recorder.stop() }
        let elapsed = Double(nowNs() - start) / 1e9
        for channel in channels { try? await channel.close() }
        var result = Result(requests: 0, seconds: elapsed, non2xx: 0, latencies: [])
        for recorder in recorders {
            let (latencies, non2xx, failure) = recorder.snapshot()
            if let failure { throw failure }
            result.latencies += latencies
            result.non2xx += non2xx
        }
        result.requests = result.latencies.count
        result.latencies.sort()
        return result
    }
}

/// One connection's measurements, written on its event loop and read after the run.
final class LatencyRecorder: Sendable {
    private let state = NIOLockedValueBox((latencies: [Double](), non2xx: 0, stopped: false, failure: (any Error)?.none))

    func record(_ ms: Double, ok: Bool) -> Bool {
        state.withLockedValue { s in
            guard !s.stopped else { return false }
            s.latencies.append(ms)
            if !ok { s.non2xx += 1 }
            return true
        }
    }

    func fail(_ error: any Error) { state.withLockedValue { if $0.failure == nil { $0.failure = error } } }
    func stop() { state.withLockedValue { $0.stopped = true } }
    func snapshot() -> ([Double], Int, (any Error)?) { state.withLockedValue { ($0.latencies, $0.non2xx, $0.failure) } }
}

/// Sends the request, reads one response (status line, headers, `Content-Length` body), records
/// its latency and sends the next.
final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    struct Go {}
    struct Malformed: Error, CustomStringConvertible { let description: String }

    let request: [UInt8]
    let recorder: LatencyRecorder
    private var buffer = ByteBuffer()
    private var sentAt: UInt64 = 0

    init(request: [UInt8], recorder: LatencyRecorder) {
        self.request = request
        self.recorder = recorder
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is Go { send(context) } else { context.fireUserInboundEventTriggered(event) }
    }

    private func send(_ context: ChannelHandlerContext) {
        sentAt = nowNs()
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let status = takeResponse() {
            guard status > 0 else {
                recorder.fail(Malformed(description: "a response without Content-Length or with a malformed head"))
                context.close(promise: nil)
                return
            }
            if recorder.record(Double(nowNs() - sentAt) / 1e6, ok: (200..<300).contains(status)) { send(context) }
        }
    }

    /// The status of the complete response at the front of the buffer (consumed), 0 when it is
    /// malformed, nil when more bytes are needed. Byte-level: the generator must stay cheap next to
    /// the server it measures.
    private func takeResponse() -> Int? {
        let view = buffer.readableBytesView
        guard let headEnd = Self.caseInsensitiveRange(of: Self.headTerminator, in: view[...]) else { return nil }
        let head = view[view.startIndex..<headEnd.lowerBound]
        // "HTTP/1.1 200 OK"
        guard head.count > 12 else { return 0 }
        var status = 0
        for b in head.dropFirst(9).prefix(3) {
            guard (48...57).contains(b) else { return 0 }
            status = status * 10 + Int(b - 48)
        }
        guard let name = Self.caseInsensitiveRange(of: Self.contentLength, in: head) else { return 0 }
        var length = 0
        var digits = 0
        for b in head[name.upperBound...] {
            if b == 32 && digits == 0 { continue }
            guard (48...57).contains(b) else { break }
            length = length * 10 + Int(b - 48)
            digits += 1
        }
        guard digits > 0 else { return 0 }
        let total = headEnd.upperBound - view.startIndex + length
        guard buffer.readableBytes >= total else { return nil }
        buffer.moveReaderIndex(forwardBy: total)
        if buffer.readerIndex > 1 << 16 { buffer.discardReadBytes() }
        return status
    }

    static let headTerminator: [UInt8] = [13, 10, 13, 10]
    static let contentLength = Array("\r\ncontent-length:".utf8)

    /// Where `needle` (lowercase) occurs in `haystack`, ASCII letters compared without case.
    static func caseInsensitiveRange(of needle: [UInt8], in haystack: ByteBufferView.SubSequence) -> Range<Int>? {
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            var j = 0
            while j < needle.count, haystack[i + j] | (haystack[i + j] >= 65 && haystack[i + j] <= 90 ? 32 : 0) == needle[j] { j += 1 }
            if j == needle.count { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }
}
