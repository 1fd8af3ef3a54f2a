/// Reads the time column of a bars CSV: an ISO-8601 date (`2004-08-19`, midnight UTC) or date-time
/// (`2024-01-02T09:30:00Z`, `2024-01-02 09:30:00.250+01:00`; no zone means UTC), or Unix epoch
/// seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude).
enum BarTimes {
    /// Unix nanoseconds, or nil when `text` is none of the forms.
    static func parse(_ text: Substring) -> Int64? {
        var bytes = Array(text.utf8)[...]
        while let f = bytes.first, f == 0x20 || f == 0x22 { bytes = bytes.dropFirst() }
        while let l = bytes.last, l == 0x20 || l == 0x22 || l == 0x0D { bytes = bytes.dropLast() }
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !bytes.isEmpty, bytes.count <= 19, let v = Int64(String(decoding: bytes, as: UTF8.self)) {
            if v < 100_000_000_000 { return v * 1_000_000_000 }  // seconds (to the year 5138)
            if v < 100_000_000_000_000 { return v * 1_000_000 }  // milliseconds
            if v < 100_000_000_000_000_000 { return v * 1_000 }  // microseconds
            return v  // nanoseconds
        }
        return iso(Array(bytes))
    }

    private static func iso(_ b: [UInt8]) -> Int64? {
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var v = 0
            for k in 0..<digits {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += digits
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")), let day = number(2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Int64(daysFromCivil(year, month, day)) * 86_400
        var nanos: Int64 = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), hour < 24, minute < 60 else { return nil }
            var second = 0
            if expect(UInt8(ascii: ":")) {
                guard let s = number(2), s < 61 else { return nil }
                second = s
                if expect(UInt8(ascii: ".")) {
                    var digits = 0
                    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                        if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 9) { nanos *= 10 }
                }
            }
            seconds += Int64(hour * 3600 + minute * 60 + second)
            if i < b.count {
                if expect(UInt8(ascii: "Z")) {
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
                    i += 1
                    guard let h = number(2) else { return nil }
                    _ = expect(UInt8(ascii: ":"))
                    guard let m = number(2) else { return nil }
                    seconds -= sign * Int64(h * 3600 + m * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == b.count else { return nil }
        return seconds * 1_000_000_000 + nanos
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
