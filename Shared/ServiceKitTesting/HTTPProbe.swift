import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Minimal HTTP/1.1 over loopback, for probing admin ports, reading event streams and sending
/// hand-made requests (preflights, upgrades) in tests.
public enum HTTPProbe {
    /// Status code and body of `GET path`, or nil when nothing answers. The blocking socket work
    /// runs on a thread of its own: blocking one of the two cooperative threads here could starve
    /// the very server being probed. With `until`, reading stops as soon as the response so far
    /// satisfies it (a stream that never ends: Server-Sent Events); otherwise at the end or after
    /// `timeoutSeconds` of silence.
    public static func get(
        port: Int, path: String, headers: [String: String] = [:], timeoutSeconds: Int = 5,
        until: (@Sendable (String) -> Bool)? = nil
    ) async -> (status: Int, body: String)? {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: blockingGet(port: port, path: path, headers: headers, timeoutSeconds: timeoutSeconds, until: until))
            }.start()
        }
    }

    /// The raw response to the raw `request` (any method, headers written by the caller), read on a
    /// thread of its own like `get`; nil when nothing answers.
    public static func exchange(
        port: Int, request: String, timeoutSeconds: Int = 5, until: (@Sendable (String) -> Bool)? = nil
    ) async -> String? {
        await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: blockingExchange(port: port, request: request, timeoutSeconds: timeoutSeconds, until: until))
            }.start()
        }
    }

    static func blockingGet(
        port: Int, path: String, headers: [String: String], timeoutSeconds: Int, until: ((String) -> Bool)?
    ) -> (status: Int, body: String)? {
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\(extra)\r\n"
        guard let text = blockingExchange(port: port, request: request, timeoutSeconds: timeoutSeconds, until: until),
            let statusLine = text.split(separator: "\r\n").first, let code = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (code, body)
    }

    /// A blocking TCP socket connected to loopback `port`, reads timing out after `timeoutSeconds`,
    /// its receive buffer `receiveBuffer` bytes when given (set before connecting, so the window is
    /// small from the start); nil when nothing answers. The caller closes it.
    public static func connect(port: Int, timeoutSeconds: Int, receiveBuffer: Int32? = nil) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else {
            close(fd)
            return nil
        }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func blockingExchange(port: Int, request: String, timeoutSeconds: Int, until: ((String) -> Bool)?) -> String? {
        guard let fd = connect(port: port, timeoutSeconds: timeoutSeconds) else { return nil }
        defer { close(fd) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[..<n]
            if let until, until(String(decoding: response, as: UTF8.self)) { break }
        }
        return response.isEmpty ? nil : String(decoding: response, as: UTF8.self)
    }
}
