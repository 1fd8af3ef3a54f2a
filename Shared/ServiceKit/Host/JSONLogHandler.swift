import Foundation
import Logging
import Synchronization

/// One JSON object per line on standard error: `ts`, `level`, `service`, `msg`, then metadata.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let service: String
    static let lock = Mutex(())

    public init(service: String, level: Logger.Level) {
        self.service = service
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (k, v) in metadata { fields[k] = "\(v)" }
        for (k, v) in event.metadata ?? [:] { fields[k] = "\(v)" }
        var line = "{\"ts\":\(Self.quote(Date().formatted(.iso8601))),\"level\":\"\(event.level.rawValue)\",\"service\":\(Self.quote(service)),\"msg\":\(Self.quote("\(event.message)"))"
        for k in fields.keys.sorted() { line += ",\(Self.quote(k)):\(Self.quote(fields[k]!))" }
        line += "}\n"
        Self.lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
