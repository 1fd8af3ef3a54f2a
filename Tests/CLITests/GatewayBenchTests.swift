import CBenchBaselines
import Foundation
import ServiceKit
import ServiceKitTesting
import Testing

@testable import TradewindCLI

/// The WebSocket harness (`Benchmarks/CBaselines/wsload.c`) against a server scripted byte for byte
/// (RFC 6455): the upgrade, frames of 7- and 16-bit lengths split across writes, a ping, a close;
/// it counts what arrived after the first message and reads each message's nanosecond stamp.
@Suite struct GatewayBenchTests {
    /// A server frame (unmasked, FIN) with `opcode` and `payload`.
    static func frame(_ opcode: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var head: [UInt8] = [0x80 | opcode]
        if payload.count < 126 {
            head.append(UInt8(payload.count))
        } else {
            head += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        }
        return head + payload
    }

    @Test func theHarnessReadsFramesAndTheirStamps() async throws {
        try await ScriptedHTTPServer.with({ _, _ in
            let now = WallClock.nowNs
            let update = Array(#"{"type":"market_update","data":{"symbol":"XRPUSDT","timestamp":1,"timestamp_ns":"\#(now)"}}"#.utf8)
            let long = Array(#"{"type":"market_update","data":{"padding":"\#(String(repeating: "x", count: 300))","timestamp_ns":"\#(now)"}}"#.utf8)
            let frames = Self.frame(1, Array(#"{"type":"subscribed"}"#.utf8)) + (0..<5).flatMap { _ in Self.frame(1, update) } + Self.frame(9, [])
                + Self.frame(1, long) + Self.frame(1, Array(#"{"type":"pong"}"#.utf8))
            let half = frames.count / 2
            return [
                .send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"),
                .bytes(Array(frames[..<half])), .pause(.milliseconds(20)), .bytes(Array(frames[half...])), .pause(.milliseconds(20)),
                .bytes(Self.frame(8, [0x03, 0xe8])),
            ]
        }) { port, server in
            // The harness blocks its thread, as in its own process.
            let (status, result) = await Task.detached {
                var result = tw_wsload_result()
                let status = "127.0.0.1".withCString { host in
                    "/ws".withCString { path in
                        #"{"type":"subscribe"}"#.withCString { subscribe in
                            "timestamp_ns".withCString { stamp in
                                var options = tw_wsload_options(
                                    host: host, port: Int32(port), path: path, header: nil, subscribe: subscribe, stamp: stamp, clients: 1, warmup_ns: 0,
                                    measure_ns: 5_000_000_000)
                                return tw_wsload(&options, &result)
                            }
                        }
                    }
                }
                return (status, result)
            }.value
            #expect(status == 0)
            #expect(server.requests.first?.headers["upgrade"] == "websocket" && server.requests.first?.headers["sec-websocket-version"] == "13")
            // After the acknowledgement: five updates, the long one, the pong's text; six stamped.
            #expect(result.delivered == 7 && result.stamped == 6 && result.closed == 1, "\(result)")
            #expect(result.p99_us < 5_000_000)
        }
    }
}

@Suite struct ChildProcessTests {
    @Test func linesArrive() async throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo one; sleep 0.2; echo two; echo oops >&2"])
        var seen: [String] = []
        for await line in child.lines { seen.append(line) }
        #expect(seen == ["one", "two"])
        child.stop()
        #expect(child.errors == "oops\n")
    }
}
