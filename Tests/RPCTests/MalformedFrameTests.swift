import Foundation
import NIOCore
@testable import RPC
import Testing
import Wire

/// A blocking loopback socket speaking raw frames, for throwing bad input at a live server.
final class RawFrameSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw RPCError(code: .unavailable, message: "connect failed") }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    func sendFrame(_ body: [UInt8]) {
        let n = UInt32(body.count)
        send([UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body)
    }

    /// The next frame's envelope, or nil when the server closed the connection.
    func readEnvelope() -> PB.Envelope? {
        guard let header = read(4) else { return nil }
        let n = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        guard let body = read(n) else { return nil }
        return try? PB.Envelope(decoding: body)
    }

    private func read(_ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if r <= 0 { return nil }
            got += r
        }
        return out
    }

    /// Answers the challenge with the right secret; returns true when welcomed.
    func handshake(secret: [UInt8]) -> Bool {
        guard let challenge = readEnvelope(), let nonce = challenge.handshake?.nonce else { return false }
        var hello = PB.Envelope(kind: .hello)
        hello.handshake = PB.Handshake(protocolVersion: Handshake.protocolVersion, mac: Handshake.mac(secret: secret, nonce: nonce), peerName: "fuzz")
        sendFrame(try! hello.encodedBytes())
        return readEnvelope()?.kind == .welcome
    }
}

@Suite("A live server under malformed input", .serialized)
struct MalformedFrameTests {
    @Test("an over-limit frame length gets an error frame naming the limit, then the connection closes")
    func oversizedFrame() async throws {
        try await withServer(configure: { $0.maxFrameBytes = 1024 }) { _, client, port in
            let socket = try RawFrameSocket(port: port)
            _ = socket.readEnvelope()  // challenge
            socket.send([0x00, 0x10, 0x00, 0x00])  // 1 MiB declared
            let error = socket.readEnvelope()
            #expect(error?.kind == .error)
            #expect(error?.statusCode == .resourceExhausted)
            #expect(error?.statusMessage.contains("1024") == true)
            #expect(socket.readEnvelope() == nil)
            #expect(try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 5)).seq == 5)
        }
    }

    @Test("a wrong protocol version is refused with failed_precondition, saying which versions")
    func wrongVersion() async throws {
        try await withServer { _, _, port in
            let socket = try RawFrameSocket(port: port)
            _ = socket.readEnvelope()
            var hello = PB.Envelope(kind: .hello)
            hello.handshake = PB.Handshake(protocolVersion: 99)
            socket.sendFrame(try hello.encodedBytes())
            let error = socket.readEnvelope()
            #expect(error?.statusCode == .failedPrecondition)
            #expect(error?.statusMessage.contains("99") == true)
        }
    }

    @Test("100,000 malformed frames, before and after the handshake, leave the server serving good calls")
    func randomizedAbuse() async throws {
        try await withServer { _, client, port in
            var rng = SystemRandomNumberGenerator()
            var frames = 0
            // Before the handshake: garbage bytes, truncated frames, wrong first frames.
            for _ in 0..<500 {
                let socket = try RawFrameSocket(port: port)
                _ = socket.readEnvelope()
                for _ in 0..<4 {
                    let junk = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    if Bool.random(using: &rng) { socket.sendFrame(junk) } else { socket.send(junk) }
                    frames += 1
                }
            }
            // After the handshake: envelopes with random kinds, methods, ids and payloads. Each
            // must get an answer or an orderly close, never a hang or a crash.
            let methods = ["Diagnostics.Echo", "Diagnostics.Count", "Nope.Nope", "", "Diagnostics.Echo\u{1}"]
            var socket = try RawFrameSocket(port: port)
            #expect(socket.handshake(secret: testSecret))
            while frames < 100_000 {
                // One frame in twenty is garbage that costs the connection (keeps reconnects, and
                // ports in TIME_WAIT, to a few thousand).
                if Int.random(in: 0..<20, using: &rng) != 0 {
                    // A request with a random payload to a random method: invalid_argument or unimplemented.
                    let payload = (0..<Int.random(in: 0..<48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    let env = PB.Envelope(streamId: UInt64.random(in: 1...UInt64.max, using: &rng), kind: .request,
                                          method: methods.randomElement(using: &rng)!, timeoutNs: Int64.random(in: -5...5_000_000_000, using: &rng),
                                          payload: payload)
                    socket.sendFrame(try env.encodedBytes())
                } else {
                    // Garbage: the server answers with an error and closes; reconnect.
                    let junk = (0..<Int.random(in: 1..<48, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    socket.sendFrame(junk)
                    socket = try RawFrameSocket(port: port)
                    #expect(socket.handshake(secret: testSecret))
                }
                frames += 1
            }
            #expect(frames >= 100_000)
            #expect(try await client.unary(DiagnosticsMethods.echo, PB.EchoMessage(seq: 77)).seq == 77)
        }
    }
}
