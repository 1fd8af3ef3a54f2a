/// A canonical instrument symbol: `BTC/USDT`, `EUR/USD`, `AAPL`, `BRK.B`.
///
/// Upper-case ASCII letters and digits, with `/`, `.`, `-` or `_` between them; 1–32 characters.
/// The rule keeps symbols safe to embed in bus channel names and keys.
public struct Symbol: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(TradingCoreError) {
        let bytes = Array(text.utf8)
        guard (1...32).contains(bytes.count) else {
            throw TradingCoreError(code: .invalidSymbol, message: "symbol \"\(text)\" must be 1 to 32 characters")
        }
        let separators: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_")]
        for (i, b) in bytes.enumerated() {
            let alnum = (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            let innerSeparator = separators.contains(b) && i > 0 && i < bytes.count - 1
            guard alnum || innerSeparator else {
                throw TradingCoreError(
                    code: .invalidSymbol,
                    message: "symbol \"\(text)\" may hold only A-Z, 0-9 and an inner / . - _ (e.g. BTC/USDT)")
            }
        }
        self.value = text
    }

    public static func < (a: Symbol, b: Symbol) -> Bool { a.value < b.value }
    public var description: String { value }
}
