/// Reads a `text/event-stream` body as it arrives, by the WHATWG HTML standard's rules
/// ("Server-sent events", §9.2.6 interpreting an event stream): lines end with CRLF, LF or CR; a
/// blank line dispatches the event gathered so far; `event:` names it, each `data:` line adds a
/// line to its data; lines starting with `:` are comments (keep-alives); one space after the colon
/// is not part of the value. Bytes may be split anywhere between writes.
public struct ServerSentEventReader: Sendable {
    /// One dispatched event.
    public struct Event: Sendable, Hashable {
        /// The `event:` field, `message` when none was given.
        public var name: String
        public var data: String
    }

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var name = ""
    private var data: [UInt8] = []
    private var hasData = false

    public init() {}

    /// Takes the next bytes; answers the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"):
                lastWasCR = true
                if let e = endLine() { events.append(e) }
            case UInt8(ascii: "\n"):
                if let e = endLine() { events.append(e) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = String(decoding: line[..<colon], as: UTF8.self)
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        switch field {
        case "event": name = String(decoding: value, as: UTF8.self)
        case "data":
            if hasData { data.append(UInt8(ascii: "\n")) }
            data += value
            hasData = true
        default: break  // `id`, `retry` and unknown fields: nothing here resumes a stream
        }
        return nil
    }

    private mutating func dispatch() -> Event? {
        defer {
            name = ""
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return nil }
        return Event(name: name.isEmpty ? "message" : name, data: String(decoding: data, as: UTF8.self))
    }
}
