extension FixedDecimal {
    /// Parses plain decimal notation (`"42"`, `"-0.015"`, `"+1.5"`), exactly. More than 8 fractional
    /// digits, exponents, separators and anything out of range are refused with a message saying so.
    public init(parsing text: some StringProtocol) throws(ArithmeticError) {
        var utf8 = Substring(text).utf8[...]
        guard !utf8.isEmpty else { throw ArithmeticError(code: .invalid, message: "an empty string is not a number") }
        var negative = false
        if let f = utf8.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
            negative = f == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var whole: Int64 = 0, frac: Int64 = 0, fracDigits = 0, sawDot = false, sawDigit = false
        for b in utf8 {
            if b == UInt8(ascii: ".") {
                guard !sawDot else { throw Self.invalid(text) }
                sawDot = true
                continue
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw Self.invalid(text) }
            sawDigit = true
            let d = Int64(b - UInt8(ascii: "0"))
            if sawDot {
                fracDigits += 1
                guard fracDigits <= Self.scale else {
                    throw ArithmeticError(code: .tooPrecise, message: "\"\(text)\" has more than \(Self.scale) decimal places")
                }
                frac = frac * 10 + d
            } else {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(d)
                guard !o1, !o2 else { throw .overflow("\"\(text)\"") }
                whole = a
            }
        }
        guard sawDigit else { throw Self.invalid(text) }
        for _ in fracDigits..<Self.scale { frac *= 10 }
        let (w, o1) = whole.multipliedReportingOverflow(by: Self.unitsPerOne)
        let (r, o2) = w.addingReportingOverflow(frac)
        guard !o1, !o2 else { throw .overflow("\"\(text)\"") }
        self.raw = negative ? -r : r
    }

    private static func invalid(_ text: some StringProtocol) -> ArithmeticError {
        ArithmeticError(code: .invalid, message: "\"\(text)\" is not a decimal number like 12.5 or -0.001")
    }
}
