import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RPC
import Synchronization

/// A small HTTP/1.1 client for venue REST and streaming APIs: one connection per request (history
/// backfill and price streams are not request-per-millisecond paths), TLS for `https`, a deadline
/// on the whole exchange, chunked and `Content-Length` bodies. Venue adapters build on it; nothing
/// here knows a venue.
struct VenueHTTPClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        /// `Retry-After` in seconds (rate limits, bans), if the venue sent one.
        var retryAfter: Duration? { headers.first(name: "Retry-After").flatMap(Int.init).map { .seconds(max(0, $0)) } }
    }

    /// What went wrong talking to the venue (not what the venue answered: that is a `Response`).
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let baseURL: URL
    let headers: [(String, String)]
    let timeout: Duration

    /// A client for `baseURL` (`https://api.binance.com`, `http://127.0.0.1:8080`; checked by
    /// `FeedContext.url`), sending `headers` with every request.
    init(baseURL: URL, headers: [(String, String)] = [], timeout: Duration = .seconds(15)) {
        self.baseURL = baseURL
        self.headers = headers
        self.timeout = timeout
    }

    /// `GET path?query` with the whole body. A connection that fails before any of the answer
    /// arrives (closed or reset as the request goes out) is tried once more: a GET can be repeated,
    /// and a venue or a proxy dropping a fresh connection is routine. Timeouts are not retried.
    func get(_ path: String, query: [(String, String)] = []) async throws -> Response {
        var attempt = 1
        while true {
            var response = Response(status: 0, headers: [:], body: [])
            do {
                try await exchange(path, query: query, deadline: timeout, head: { status, headers in (response.status, response.headers) = (status, headers) }) { chunk in
                    response.body += chunk.readableBytesView
                }
                return response
            } catch where attempt == 1 && response.status == 0 && (error is ChannelError || error is IOError) {
                attempt += 1
            }
        }
    }

    /// `GET path?query` whose body is a stream of lines (newline-delimited JSON): `opened` is told
    /// when the venue accepts (200), `line` gets each complete line, without its terminator, while
    /// the stream lasts; a status other than 200 is answered with the whole (short) body instead.
    func streamLines(
        _ path: String, query: [(String, String)] = [], idleTimeout: Duration, opened: () -> Void = {},
        line: (ArraySlice<UInt8>) async throws -> Void
    ) async throws -> Response? {
        var status = 0
        var headers: HTTPHeaders = [:]
        var pending: [UInt8] = []
        try await exchange(path, query: query, deadline: nil, idleTimeout: idleTimeout, head: { code, fields in
            (status, headers) = (code, fields)
            if code == 200 { opened() }
        }) { chunk in
            pending += chunk.readableBytesView
            guard status == 200 else { return }
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start, pending[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end > start { try await line(pending[start..<end]) }
                start = newline + 1
            }
            pending.removeFirst(start - pending.startIndex)
        }
        return status == 200 ? nil : Response(status: status, headers: headers, body: pending)
    }

    /// The URL of `path` with `query`, percent-encoded.
    func url(_ path: String, query: [(String, String)]) -> (host: String, port: Int, target: String, tls: Bool) {
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
        _ path: String, query: [(String, String)], deadline: Duration?, idleTimeout: Duration? = nil,
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
        let activity = VenueActivity()
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
                var requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: target)
                requestHead.headers.add(name: "Host", value: port == (tls ? 443 : 80) ? host : "\(host):\(port)")
                requestHead.headers.add(name: "Accept", value: "application/json")
                requestHead.headers.add(name: "User-Agent", value: "tradewind-market-data")
                requestHead.headers.add(name: "Connection", value: "close")
                for (name, value) in headers { requestHead.headers.add(name: name, value: value) }
                // One write: the head alone is a whole GET, which a venue may answer and close on
                // before a separate `.end` write, and that write would then fail the exchange.
                try await outbound.write(contentsOf: [.head(requestHead), .end(nil)])
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
            if let reason = activity.expired { throw Failure(description: reason) }
            throw error
        }
    }
}

/// When a venue connection last delivered something, and why its watchdog ended it.
final class VenueActivity: Sendable {
    private let state = Mutex((last: ContinuousClock.now, expired: String?.none))
    var last: ContinuousClock.Instant { state.withLock { $0.last } }
    var expired: String? { state.withLock { $0.expired } }
    func touch() { state.withLock { $0.last = .now } }
    func expire(_ reason: String) { state.withLock { $0.expired = reason } }
}

extension VenueHTTPClient.Response {
    /// What a venue's refusal means here, one rule for every adapter: 401/403 the credentials,
    /// 404 the instrument, 418/429 a rate limit (with `Retry-After`), another 4xx the request,
    /// anything else the venue itself. `said` is the venue's own words (never a credential).
    func refusal(venue: String, what: String, said: String) -> MarketDataError {
        switch status {
        case 401, 403: MarketDataError(.invalidConfiguration, "\(venue) refused the credentials for \(what): \(said)")
        case 404: MarketDataError(.unknownSymbol, "\(venue) does not know \(what): \(said)")
        case 418, 429:
            MarketDataError(
                .rateLimited, "\(venue) is rate-limiting this address (HTTP \(status)) for \(what); retry \(retryAfter.map { "after \($0)" } ?? "later"): \(said)")
        case 400..<500: MarketDataError(.invalidArgument, "\(venue) refused \(what): \(said)")
        default: MarketDataError(.providerError, "\(venue) answered HTTP \(status) for \(what): \(said)")
        }
    }
}
