/// Times as the API shows them. A browser reads JSON with `JSON.parse`, whose numbers are doubles:
/// a Unix time in nanoseconds (~1.8e18) is past 2^53 and comes out rounded, and `new Date(t)`
/// wants milliseconds. So every time is Unix milliseconds, an integer JavaScript holds exactly;
/// where a finer time matters (ticks, fills, trades) the nanoseconds travel beside it as decimal
/// digits in a string (`timestamp_ns`).

/// A time in Unix milliseconds (`created_at`), from the nanoseconds the services keep; the
/// milliseconds are the nanoseconds rounded down, so two times in one millisecond compare equal
/// and never out of order.
struct UnixMillis: Encodable, Hashable, Sendable, SchemaDescribed {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The milliseconds, rounded toward minus infinity.
    var milliseconds: Int64 {
        let (q, r) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return r < 0 ? q - 1 : q
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(milliseconds)
    }

    static var jsonSchema: [String: Any] {
        ["type": "integer", "minimum": -maxSafeInteger, "maximum": maxSafeInteger, "description": "Unix time in milliseconds (UTC)", "format": "unix-ms"]
    }
}

/// A time to the nanosecond as decimal digits (`"1796316351061353670"`): beside a `UnixMillis`
/// where the order of events within a millisecond matters.
struct UnixNanosText: Encodable, Hashable, Sendable, SchemaDescribed {
    var nanoseconds: Int64

    init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(String(nanoseconds))
    }

    static var jsonSchema: [String: Any] {
        ["type": "string", "pattern": "^-?[0-9]{1,19}$", "description": "Unix time in nanoseconds (UTC), as decimal digits: past 2^53, so a string"]
    }
}

/// The largest integer a JSON reader with double-precision numbers (JavaScript) holds exactly, 2^53 − 1.
let maxSafeInteger: Int64 = (1 << 53) - 1

/// A type that gives its own JSON Schema, where its Swift type alone would say too little (units).
protocol SchemaDescribed {
    static var jsonSchema: [String: Any] { get }
}
