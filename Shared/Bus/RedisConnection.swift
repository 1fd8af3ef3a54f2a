import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One hiredis connection, blocking. Confined to the thread that owns it (the publisher thread, a
/// subscriber thread, or the command lock); `interrupt()` is the one call safe from elsewhere.
final class RedisConnection: @unchecked Sendable {
    // @unchecked Sendable: `context` is used by its owning thread only; `interrupt()` just shuts
    // the socket down, which is thread-safe at the OS level and makes a blocked read return.
    private let context: UnsafeMutablePointer<redisContext>

    init(host: String, port: Int, timeoutSeconds: Int = 2) throws(BusError) {
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        guard let c = redisConnectWithTimeout(host, Int32(port), tv) else {
            throw BusError(code: .connectionFailed, message: "hiredis could not allocate a context")
        }
        if c.pointee.err != 0 {
            let message = Self.errorString(c)
            redisFree(c)
            throw BusError(code: .connectionFailed, message: "cannot connect to Redis at \(host):\(port): \(message)")
        }
        // Reads block without a timeout (subscribers wait for messages indefinitely).
        tv = timeval(tv_sec: 0, tv_usec: 0)
        redisSetTimeout(c, tv)
        context = c
    }

    deinit { redisFree(context) }

    static func errorString(_ c: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: c.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    var lastError: String { Self.errorString(context) }

    /// Queues a command without waiting (pipelining); `flushAndRead` sends and collects replies.
    func append(_ args: [[UInt8]]) {
        withArgv(args) { argc, argv, lens in _ = redisAppendCommandArgv(context, argc, argv, lens) }
    }

    /// Reads one reply (blocking).
    func readReply() throws(BusError) -> RedisValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            throw BusError(code: .connectionLost, message: "Redis connection lost: \(lastError)")
        }
        defer { freeReplyObject(raw) }
        return RedisValue(raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Queues `PUBLISH channel payload` without waiting and without allocating (the publisher's
    /// hot path; replies are read in bulk with `readReply`).
    func appendPublish(channel: [UInt8], payload: [UInt8]) {
        let command: StaticString = "PUBLISH"
        channel.withUnsafeBufferPointer { c in
            payload.withUnsafeBufferPointer { p in
                command.withUTF8Buffer { cmd in
                    // An empty argument still needs a valid pointer.
                    let dummy = UnsafeRawPointer(bitPattern: 1)!
                    var argv: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer) = (
                        UnsafeRawPointer(cmd.baseAddress!), c.baseAddress.map(UnsafeRawPointer.init) ?? dummy,
                        p.baseAddress.map(UnsafeRawPointer.init) ?? dummy
                    )
                    var lens: (Int, Int, Int) = (cmd.count, c.count, p.count)
                    withUnsafeMutablePointer(to: &argv) { a in
                        withUnsafeMutablePointer(to: &lens) { l in
                            _ = redisAppendCommandArgv(
                                context, 3,
                                UnsafeMutableRawPointer(a).assumingMemoryBound(to: UnsafePointer<CChar>?.self),
                                UnsafeRawPointer(l).assumingMemoryBound(to: Int.self))
                        }
                    }
                }
            }
        }
    }

    /// From now on, replies are parsed into `collector` instead of reply objects (see
    /// `PushCollector`); only for a subscription whose SUBSCRIBE replies have been read.
    func collectPushes(into collector: PushCollector) {
        collector.install(on: context.pointee.reader)
    }

    /// Reads pub/sub pushes into the collector: blocks for the first, then takes every further one
    /// hiredis already holds in its buffer (no I/O), so a burst is handed over in one batch.
    func readPushes() throws(BusError) {
        var first: UnsafeMutableRawPointer?
        guard redisGetReply(context, &first) == REDIS_OK, first != nil else {
            throw BusError(code: .connectionLost, message: "Redis connection lost: \(lastError)")
        }
        while true {
            var next: UnsafeMutableRawPointer?
            guard redisReaderGetReply(context.pointee.reader, &next) == REDIS_OK, next != nil else { break }
        }
    }

    /// Sends one command and reads its reply.
    func command(_ args: [[UInt8]]) throws(BusError) -> RedisValue {
        append(args)
        return try readReply()
    }

    /// Makes a blocked `readReply` on another thread return with an error.
    func interrupt() {
        shutdown(context.pointee.fd, Int32(SHUT_RDWR))
    }

    private func withArgv(_ args: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Void) {
        let lens = args.map(\.count)
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(args.count)
        func nest(_ i: Int) {
            if i == args.count {
                pointers.withUnsafeMutableBufferPointer { p in
                    lens.withUnsafeBufferPointer { l in body(Int32(args.count), p.baseAddress!, l.baseAddress!) }
                }
                return
            }
            args[i].withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { c in
                    // An empty argument still needs a valid pointer.
                    pointers.append(c.baseAddress ?? UnsafePointer(bitPattern: 1))
                    nest(i + 1)
                }
            }
        }
        nest(0)
    }
}

/// A Redis reply, copied out of hiredis.
public enum RedisValue: Sendable, Hashable {
    case string([UInt8])
    case integer(Int64)
    case array([RedisValue])
    case status(String)
    case error(String)
    case null

    init(_ r: UnsafeMutablePointer<redisReply>) {
        let reply = r.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            self = .string(reply.len > 0 ? Array(UnsafeRawBufferPointer(start: reply.str, count: reply.len)) : [])
        case REDIS_REPLY_INTEGER: self = .integer(reply.integer)
        case REDIS_REPLY_ARRAY:
            self = .array((0..<reply.elements).map { RedisValue(reply.element[$0]!) })
        case REDIS_REPLY_STATUS: self = .status(String(cString: reply.str))
        case REDIS_REPLY_ERROR: self = .error(String(cString: reply.str))
        default: self = .null
        }
    }

    /// The value as text, for string and status replies.
    public var text: String? {
        switch self {
        case .string(let b): String(decoding: b, as: UTF8.self)
        case .status(let s): s
        default: nil
        }
    }
}
