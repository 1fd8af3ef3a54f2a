/// Rows in Postgres COPY text format: tab-separated, `\N` for NULL, backslash escapes.
enum CopyText {
    static func encode(_ rows: [[(any SQLEncodable)?]], columns: Int) throws(StoreError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * columns * 12)
        for (r, row) in rows.enumerated() {
            guard row.count == columns else {
                throw StoreError(code: .queryFailed, message: "row \(r) has \(row.count) values for \(columns) columns")
            }
            for (i, value) in row.enumerated() {
                if i > 0 { out.append(UInt8(ascii: "\t")) }
                guard let text = value?.sqlText else {
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
                    continue
                }
                for b in text.utf8 {
                    switch b {
                    case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                    case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                    case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                    case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                    case 0: throw StoreError(code: .queryFailed, message: "row \(r) column \(i) contains a NUL byte, which Postgres text cannot hold")
                    default: out.append(b)
                    }
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
