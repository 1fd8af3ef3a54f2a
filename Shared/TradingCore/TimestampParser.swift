/// Reads the times replay files hold, as Unix nanoseconds UTC:
/// - epoch numbers, unit by magnitude: seconds (< 10¹¹, fractions allowed), milliseconds (< 10¹⁴),
///   microseconds (< 10¹⁷), else nanoseconds;
/// - ISO-8601: `2024-03-01`, `2024-03-01T14:30:00Z`, `2024-03-01 14:30:00.125`, `…+02:00`
///   (no offset means UTC).
public enum TimestampParser {
    /// Unix nanoseconds UTC, or nil when `text` is none of the forms.
    public static func parse(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count >= 10, bytes[4] == UInt8(ascii: "-") { return iso(bytes) }
        return epoch(text)
    }

    private static func epoch(_ text: Substring) -> Int64? {
        if let n = Int64(text) {
            let m = n.magnitude
            if m < 100_000_000_000 { return n.multipliedReportingOverflow(by: 1_000_000_000).overflow ? nil : n * 1_000_000_000 }
            if m < 100_000_000_000_000 { return n * 1_000_000 }
            if m < 100_000_000_000_000_000 { return n * 1_000 }
            return n
        }
        // Fractional seconds: whole and fraction read separately so nanoseconds stay exact.
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let whole = Int64(parts[0]), whole.magnitude < 100_000_000_000,
              let fraction = nanos(Array(parts[1].utf8)) else { return nil }
        return whole * 1_000_000_000 + (whole < 0 || parts[0].hasPrefix("-") ? -fraction : fraction)
    }

    /// Digits after a decimal point as nanoseconds (at most 9 significant).
    private static func nanos(_ digits: [UInt8]) -> Int64? {
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        var v: Int64 = 0
        for d in digits { v = v * 10 + Int64(d - 48) }
        for _ in digits.count..<9 { v *= 10 }
        return v
    }

    private static func iso(_ b: [UInt8]) -> Int64? {
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"), let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var seconds = Int64(CivilDate.days(fromYear: y, month: mo, day: d)) * 86_400
        var fraction: Int64 = 0
        var i = 10
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") {
            guard let h = num(i + 1, 2), b.count > i + 3, b[i + 3] == UInt8(ascii: ":"), let mi = num(i + 4, 2),
                  h < 24, mi < 60 else { return nil }
            seconds += Int64(h * 3600 + mi * 60)
            i += 6
            if i < b.count, b[i] == UInt8(ascii: ":") {
                guard let s = num(i + 1, 2), s < 61 else { return nil }
                seconds += Int64(s)
                i += 3
                if i < b.count, b[i] == UInt8(ascii: ".") {
                    var j = i + 1
                    while j < b.count, b[j] >= 48, b[j] <= 57 { j += 1 }
                    guard let f = nanos(Array(b[(i + 1)..<min(j, i + 10)])) else { return nil }
                    fraction = f
                    i = j
                }
            }
        }
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                // +HH:MM or +HHMM.
                let colon = i + 3 < b.count && b[i + 3] == UInt8(ascii: ":")
                guard let oh = num(i + 1, 2), let om = num(colon ? i + 4 : i + 3, 2) else { return nil }
                let offset = Int64(oh * 3600 + om * 60)
                seconds += b[i] == UInt8(ascii: "+") ? -offset : offset
                i += colon ? 6 : 5
            }
        }
        guard i == b.count else { return nil }
        return seconds * 1_000_000_000 + fraction
    }
}
