import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server that answers each request with exactly the bytes a test scripts:
/// written in several writes, with pauses, or cut off by closing the connection. It stands in
/// for outside APIs (LLM providers, venues) in the wire format of their documentation, errors and
/// disconnects included; every request it gets is kept for the test to inspect.
public final class ScriptedHTTPServer: Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        /// Path and query, as sent.
        public var target: String
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: String
    }

    /// One step of an answer.
    public enum Step: Sendable {
        /// Writes these bytes as one write.
        case send(String)
        /// Writes these raw bytes as one write (binary framing: WebSocket frames).
        case bytes([UInt8])
        /// Waits before the next step.
        case pause(Duration)
        /// Closes the connection now (what follows is never sent).
        case drop
    }

    /// What to answer to a request, given the request and how many came before it (0 first).
    public typealias Script = @Sendable (_ request: Request, _ index: Int) -> [Step]

    private let requestsSeen = Mutex<[Request]>([])
    /// Every request received so far, in order.
    public var requests: [Request] { requestsSeen.withLock { $0 } }

    private init() {}

    /// Runs a server answering by `script` on a free loopback port for the length of `body`.
    public static func with(_ script: @escaping Script, _ body: (_ port: Int, _ server: ScriptedHTTPServer) async throws -> Void) async throws {
        let server = ScriptedHTTPServer()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = listener.channel.localAddress?.port ?? 0
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingDiscardingTaskGroup { connections in
                    try await listener.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await server.serve(connection, script) }
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            try await body(port, server)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ script: Script) async {
        try? await connection.executeThenClose { inbound, outbound in
            var pending: [UInt8] = []
            var iterator = inbound.makeAsyncIterator()
            while true {
                if let request = Self.parse(&pending) {
                    let index = requestsSeen.withLock { seen in
                        seen.append(request)
                        return seen.count - 1
                    }
                    for step in script(request, index) {
                        switch step {
                        case .send(let text): try await outbound.write(ByteBuffer(string: text))
                        case .bytes(let raw): try await outbound.write(ByteBuffer(bytes: raw))
                        case .pause(let d): try await Task.sleep(for: d)
                        case .drop: return
                        }
                    }
                    return  // every scripted answer is `Connection: close`
                }
                guard let chunk = try await iterator.next() else { return }
                pending += chunk.readableBytesView
            }
        }
    }

    /// A whole request taken off the front of `bytes`, or nil until one has arrived.
    private static func parse(_ bytes: inout [UInt8]) -> Request? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual(separator) }) else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        let body = String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        bytes.removeFirst(end + 4 + length)
        return Request(
            method: requestLine.first.map(String.init) ?? "", target: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers, body: body)
    }

    // MARK: answers

    /// A whole JSON answer with `status` (and extra header lines such as `Retry-After: 2`).
    public static func json(_ body: String, status: Int = 200, headers: [String] = []) -> [Step] {
        let reason = status == 200 ? "OK" : status == 429 ? "Too Many Requests" : "Error"
        let head = (["HTTP/1.1 \(status) \(reason)", "Content-Type: application/json", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers)
            .joined(separator: "\r\n")
        return [.send(head + "\r\n\r\n" + body)]
    }

    /// A `text/event-stream` answer, chunked, each of `writes` sent as its own chunk and write
    /// (so an event may be split across writes anywhere); ended properly unless `drop` is set.
    public static func eventStream(_ writes: [String], pause: Duration = .milliseconds(5), drop: Bool = false) -> [Step] {
        var steps: [Step] = [.send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")]
        for text in writes where !text.isEmpty {
            steps.append(.send(String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n"))
            steps.append(.pause(pause))
        }
        steps.append(drop ? .drop : .send("0\r\n\r\n"))
        return steps
    }
}
