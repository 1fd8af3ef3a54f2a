/// The channel names of ARCHITECTURE §4. Symbols and ids are validated by their owners before
/// they get here; a name holding a space or control character is refused by `Bus`.
public enum BusChannel {
    public static func tick(_ symbol: String) -> String { "tw.md.tick.\(symbol)" }
    public static func candle(_ timeframe: String, _ symbol: String) -> String { "tw.md.candle.\(timeframe).\(symbol)" }
    public static func indicators(_ timeframe: String, _ symbol: String) -> String { "tw.ind.\(timeframe).\(symbol)" }
    public static func decision(bot: String) -> String { "tw.ai.decision.\(bot)" }
    public static func order(account: String) -> String { "tw.exec.order.\(account)" }
    public static func fill(account: String) -> String { "tw.exec.fill.\(account)" }
    public static func position(account: String) -> String { "tw.exec.position.\(account)" }
    public static let riskAlert = "tw.risk.alert"
    public static func system(_ service: String) -> String { "tw.sys.\(service)" }
    /// The hash holding a symbol's latest quote.
    public static func quoteKey(_ symbol: String) -> String { "tw.md.quote.\(symbol)" }
}
