import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RPC
import Synchronization

/// A small HTTP/1.1 client for the outside APIs the services call (venue REST and price streams,
/// LLM providers): one connection per request (none of them is a request-per-millisecond path),
/// TLS for `https`, a deadline on the whole exchange and an idle timeout, chunked and
/// `Content-Length` bodies, the answer's body handed over as it arrives. Adapters build on it;
/// nothing here knows a venue or a provider.
public struct OutboundHTTPClient: Sendable {
    /// A whole answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]

        /// An answer as received.
        public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The first value of the header `name` (case-insensitive), if sent.
        public func header(_ name: String) -> String? { headers.first(name: name) }

        /// `Retry-After` (rate limits, bans, overload), if the server sent one: whole seconds, or
        /// an HTTP date (RFC 9110 §10.2.3), the time until it.
        public var retryAfter: Duration? {
            guard let text = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
            if let seconds = Double(text), seconds.isFinite { return .milliseconds(Int64(max(0, seconds) * 1000)) }
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone(identifier: "GMT")
            format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            guard let date = format.date(from: text) else { return nil }
            return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
        }
    }

    /// What went wrong talking to the server (not what the server answered: that is a `Response`).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// Whether the deadline or the idle timeout ended the exchange (rather than the network).
        public let timedOut: Bool

        public init(description: String, timedOut: Bool = false) {
            self.description = description
            self.timedOut = timedOut
        }
    }

    public let baseURL: URL
    public let headers: [(String, String)]
    public let timeout: Duration
    /// Sent as `User-Agent`.
    public let userAgent: String

    /// A client for `baseURL` (`https://api.binance.com`, `http://127.0.0.1:8080`), sending
    /// `headers` with every request.
    public init(baseURL: URL, headers: [(String, String)] = [], timeout: Duration = .seconds(15), userAgent: String = "tradewind") {
        self.baseURL = baseURL
        self.headers = headers
        self.timeout = timeout
        self.userAgent = userAgent
    }

    /// `GET path?query` with the whole body. A connection that fails before any of the answer
    /// arrives (closed or reset as the request goes out) is tried once more: a GET can be repeated,
    /// and a venue or a proxy dropping a fresh connection is routine. Timeouts are not retried.
    public func get(_ path: String, query: [(String, String)] = []) async throws -> Response {
        var attempt = 1
        while true {
            var response = Response(status: 0, headers: [:], body: [])
            do {
                try await exchange(.GET, path, query: query, deadline: timeout, head: { status, headers in (response.status, response.headers) = (status, headers) }) { chunk in
                    response.body += chunk.readableBytesView
                }
                return response
            } catch where attempt == 1 && response.status == 0 && (error is ChannelError || error is IOError) {
                attempt += 1
            }
        }
    }

    /// `GET path?query` whose body is a stream of lines (newline-delimited JSON): `opened` is told
    /// when the venue accepts (200), `line` gets each complete non-empty line, without its
    /// terminator, while the stream lasts; a status other than 200 is answered with the whole
    /// (short) body instead.
    public func streamLines(
        _ path: String, query: [(String, String)] = [], idleTimeout: Duration, opened: () -> Void = {},
        line: (ArraySlice<UInt8>) async throws -> Void
    ) async throws -> Response? {
        var pending: [UInt8] = []
        return try await stream(.GET, path, query: query, idleTimeout: idleTimeout, opened: opened) { chunk in
            pending += chunk.readableBytesView
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end > start { try await line(pending[start..<end]) }
                start = newline + 1
            }
            pending.removeFirst(start - pending.startIndex)
        }
    }

    /// A request whose answer is read as it arrives: with 200, `opened` is told and `chunk` gets
    /// the body's bytes as they come (server-sent events, line streams) and nil is answered; any
    /// other status is answered whole instead. `deadline` bounds the whole exchange,
    /// `idleTimeout` the silence between two reads.
    public func stream(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil, deadline: Duration? = nil,
        idleTimeout: Duration, opened: () -> Void = {}, chunk: (ByteBuffer) async throws -> Void
    ) async throws -> Response? {
        var status = 0
        var headers: HTTPHeaders = [:]
        var refused: [UInt8] = []
        try await exchange(method, path, query: query, body: body, deadline: deadline, idleTimeout: idleTimeout, head: { code, fields in
            (status, headers) = (code, fields)
            if code == 200 { opened() }
        }) { part in
            if status == 200 { try await chunk(part) } else { refused += part.readableBytesView }
        }
        return status == 200 ? nil : Response(status: status, headers: headers, body: refused)
    }

    /// `POST path` with a JSON `body`, the whole answer. Never repeated here: a POST may have
    /// been acted on, so whether to send it again is the caller's decision.
    public func post(_ path: String, query: [(String, String)] = [], json body: [UInt8], deadline: Duration? = nil) async throws -> Response {
        var response = Response(status: 0, headers: [:], body: [])
        try await exchange(.POST, path, query: query, body: body, deadline: deadline ?? timeout, head: { status, headers in (response.status, response.headers) = (status, headers) }) { chunk in
            response.body += chunk.readableBytesView
        }
        return response
    }

    /// The URL of `path` with `query`, percent-encoded.
    public func url(_ path: String, query: [(String, String)]) -> (host: String, port: Int, target: String, tls: Bool) {
        let tls = baseURL.scheme == "https"
        var target = baseURL.path.hasSuffix("/") ? String(baseURL.path.dropLast()) : baseURL.path
        target += path
        if !query.isEmpty {
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))
            target += "?" + query.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
        }
        return (baseURL.host!, baseURL.port ?? (tls ? 443 : 80), target, tls)
    }

    private func exchange(
        _ method: HTTPMethod, _ path: String, query: [(String, String)], body requestBody: [UInt8]? = nil, deadline: Duration?, idleTimeout: Duration? = nil,
        head: (Int, HTTPHeaders) -> Void, body: (ByteBuffer) async throws -> Void
    ) async throws {
        let (host, port, target, tls) = url(path, query: query)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        // A watchdog closes the connection when the exchange outlives its deadline or goes quiet.
        let activity = ConnectionActivity()
        let connection = channel.channel
        let watchdog = Task {
            let start = ContinuousClock.now
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(100))
                if let deadline, ContinuousClock.now - start > deadline {
                    activity.expire("\(host):\(port) did not answer \(target.prefix(80)) within \(deadline)")
                } else if let idleTimeout, ContinuousClock.now - activity.last > idleTimeout {
                    activity.expire("\(host):\(port) sent nothing for \(idleTimeout)")
                } else {
                    continue
                }
                connection.close(promise: nil)
                return
            }
        }
        defer { watchdog.cancel() }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var requestHead = HTTPRequestHead(version: .http1_1, method: method, uri: target)
                requestHead.headers.add(name: "Host", value: port == (tls ? 443 : 80) ? host : "\(host):\(port)")
                requestHead.headers.add(name: "Accept", value: "application/json")
                requestHead.headers.add(name: "User-Agent", value: userAgent)
                requestHead.headers.add(name: "Connection", value: "close")
                if let requestBody {
                    requestHead.headers.add(name: "Content-Type", value: "application/json")
                    requestHead.headers.add(name: "Content-Length", value: String(requestBody.count))
                }
                for (name, value) in headers { requestHead.headers.add(name: name, value: value) }
                // One write: the head alone is a whole GET, which a server may answer and close on
                // before a separate `.end` write, and that write would then fail the exchange.
                var parts: [HTTPClientRequestPart] = [.head(requestHead)]
                if let requestBody { parts.append(.body(.byteBuffer(ByteBuffer(bytes: requestBody)))) }
                parts.append(.end(nil))
                try await outbound.write(contentsOf: parts)
                for try await part in inbound {
                    activity.touch()
                    switch part {
                    case .head(let h): head(Int(h.status.code), h.headers)
                    case .body(let chunk): try await body(chunk)
                    case .end: return
                    }
                }
                throw Failure(description: "\(host):\(port) closed the connection before the response ended")
            }
        } catch {
            if let reason = activity.expired { throw Failure(description: reason, timedOut: true) }
            throw error
        }
    }
}

/// When a connection last delivered something, and why its watchdog ended it.
public final class ConnectionActivity: Sendable {
    private let state = Mutex((last: ContinuousClock.now, expired: String?.none))
    public init() {}
    public var last: ContinuousClock.Instant { state.withLock { $0.last } }
    public var expired: String? { state.withLock { $0.expired } }
    public func touch() { state.withLock { $0.last = .now } }
    public func expire(_ reason: String) { state.withLock { $0.expired = reason } }
}
