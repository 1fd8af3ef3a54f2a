import CHiredis

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects pub/sub messages straight out of hiredis's parser: hiredis calls the functions below
/// for each element it parses (its documented `redisReplyObjectFunctions` hook) instead of building
/// a reply tree, and they append the payload to one buffer per burst.
///
/// The default tree is a `calloc`ed array and three `malloc`ed strings per message, freed right
/// after: on a subscriber thread that was a third of the cost of a message, more than the parsing.
/// Only a subscription's connection uses this, and only once its SUBSCRIBE replies are read (those
/// go through the default objects); every reply it then gets is a push.
///
/// Confined to the subscriber thread that owns the connection.
final class PushCollector {
    /// Payloads of the burst so far, back to back.
    private var bytes: [UInt8] = []
    /// Each message's channel (without the bus prefix) and payload range in `bytes`.
    private var spans: [(channel: String, range: Range<Int>)] = []

    private let prefixCount: Int
    // The channel name is decoded once and reused while messages keep coming on it.
    private var lastRaw: [UInt8] = []
    private var lastChannel = ""
    // The push being parsed: where its channel is (1 for `message`, 2 for `pmessage`, 0 for
    // something else), and its channel once seen.
    private var channelIndex = 0
    private var channel: String?

    init(prefixCount: Int) { self.prefixCount = prefixCount }

    /// The messages collected since the last call, as deliveries whose payloads share one buffer.
    func takeDeliveries() -> [BusDelivery] {
        let burst = bytes
        // The next burst is likely the size of this one: reserve that instead of growing again.
        bytes = []
        bytes.reserveCapacity(burst.count)
        var deliveries: [BusDelivery] = []
        deliveries.reserveCapacity(spans.count)
        for span in spans { deliveries.append(.message(channel: span.channel, payload: burst[span.range])) }
        spans.removeAll(keepingCapacity: true)
        return deliveries
    }

    /// Installs the collector as `reader`'s object functions. The collector must outlive the
    /// reader's use (the subscription loop holds both).
    func install(on reader: UnsafeMutablePointer<redisReader>) {
        reader.pointee.fn = Self.functions
        reader.pointee.privdata = Unmanaged.passUnretained(self).toOpaque()
    }

    // hiredis treats a nil object as out of memory, so every element gets this non-nil token.
    private static var token: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 0x1)! }

    // A stable address for hiredis to keep; never freed (one per process).
    private nonisolated(unsafe) static let functions: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        let f = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        f.initialize(to: redisReplyObjectFunctions(
            createString: { task, str, len in
                if let task, let str { PushCollector.of(task).string(task, UnsafeRawBufferPointer(start: str, count: len)) }
                return PushCollector.token
            },
            createArray: { task, elements in
                if let task, task.pointee.parent == nil { PushCollector.of(task).startPush() }
                return PushCollector.token
            },
            createInteger: { _, _ in PushCollector.token },
            createNil: { _ in PushCollector.token },
            freeObject: { _ in }))
        return f
    }()

    private static func of(_ task: UnsafePointer<redisReadTask>) -> PushCollector {
        Unmanaged<PushCollector>.fromOpaque(task.pointee.privdata!).takeUnretainedValue()
    }

    private func startPush() {
        channelIndex = 0
        channel = nil
    }

    /// One string of a push: its kind, its channel or its payload, by position.
    private func string(_ task: UnsafePointer<redisReadTask>, _ value: UnsafeRawBufferPointer) {
        // Only the top-level push's own elements matter; a top-level string is not a message.
        guard let parent = task.pointee.parent, parent.pointee.parent == nil else { return }
        let index = Int(task.pointee.idx)
        let elements = Int(parent.pointee.elements)
        if index == 0 {
            if elements == 3, Self.equals(value, "message") {
                channelIndex = 1
            } else if elements == 4, Self.equals(value, "pmessage") {
                channelIndex = 2
            } else {
                channelIndex = 0
            }
        } else if channelIndex > 0, index == channelIndex {
            let name = UnsafeRawBufferPointer(rebasing: value.dropFirst(min(prefixCount, value.count)))
            if !lastRaw.withUnsafeBytes({ Self.equals(name, $0) }) {
                lastRaw = Array(name)
                lastChannel = String(decoding: name, as: UTF8.self)
            }
            channel = lastChannel
        } else if channelIndex > 0, index == channelIndex + 1, let channel {
            let start = bytes.count
            bytes.append(contentsOf: value)
            spans.append((channel, start..<bytes.count))
        }
    }

    private static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
    }

    private static func equals(_ a: UnsafeRawBufferPointer, _ b: StaticString) -> Bool {
        b.withUTF8Buffer { equals(a, UnsafeRawBufferPointer($0)) }
    }
}
