/// A Swift value that can be a bound parameter (sent in Postgres text format).
public protocol SQLEncodable: Sendable {
    /// The text-format value; nil is NULL.
    var sqlText: String? { get }
}

/// A Swift value that a result column decodes into (from Postgres text format).
public protocol SQLDecodable {
    /// Parses the column's text; `nil` means the text does not fit the type.
    init?(sqlText: String)
}

extension String: SQLEncodable, SQLDecodable {
    public var sqlText: String? { self }
    public init?(sqlText: String) { self = sqlText }
}

extension Int: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public init?(sqlText: String) { self.init(sqlText, radix: 10) }
}

extension Int64: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public init?(sqlText: String) { self.init(sqlText, radix: 10) }
}

extension Int32: SQLEncodable, SQLDecodable {
    public var sqlText: String? { String(self) }
    public init?(sqlText: String) { self.init(sqlText, radix: 10) }
}

extension Double: SQLEncodable, SQLDecodable {
    public var sqlText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }
    public init?(sqlText: String) {
        switch sqlText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(sqlText)
        }
    }
}

extension Bool: SQLEncodable, SQLDecodable {
    public var sqlText: String? { self ? "t" : "f" }
    public init?(sqlText: String) {
        switch sqlText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

/// `bytea`, sent and read in hex format (`\x0a1b`).
public struct SQLBytes: SQLEncodable, SQLDecodable, Hashable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var sqlText: String? {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes {
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public init?(sqlText: String) {
        let u = Array(sqlText.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "\\"), u[1] == UInt8(ascii: "x"), u.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((u.count - 2) / 2)
        var i = 2
        while i < u.count {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        self.bytes = out
    }
}
