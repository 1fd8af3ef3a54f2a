/// The channel names of ARCHITECTURE §4. Symbols and ids are validated by their owners before
/// they get here; a name holding a space or control character is refused by `Bus`.
public enum BusChannel {
    /// `tw.md.tick.<SYMBOL>`: every tick of a symbol.
    public static func tick(_ symbol: String) -> String { "tw.md.tick.\(symbol)" }
    /// The pattern matching every tick channel.
    public static let everyTick = "tw.md.tick.*"
    /// `tw.md.candle.<TF>.<SYMBOL>`: candles (forming, closed, corrections).
    public static func candle(_ timeframe: String, _ symbol: String) -> String { "tw.md.candle.\(timeframe).\(symbol)" }
    /// The pattern matching every candle channel.
    public static let everyCandle = "tw.md.candle.*"
    /// `tw.ind.<TF>.<SYMBOL>`: indicator snapshots per closed bar.
    public static func indicators(_ timeframe: String, _ symbol: String) -> String { "tw.ind.\(timeframe).\(symbol)" }
    /// The pattern matching every indicator snapshot channel.
    public static let everyIndicator = "tw.ind.*"
    /// `tw.ai.decision.<BOT>`: a bot's decisions.
    public static func decision(bot: String) -> String { "tw.ai.decision.\(bot)" }
    /// The pattern matching every bot's decisions.
    public static let everyDecision = "tw.ai.decision.*"
    /// A backtest or optimisation job's status and progress (`PB.Job` without its result), by owner.
    public static func job(owner: String) -> String { "tw.ai.job.\(owner)" }
    /// Every job's updates.
    public static let everyJob = "tw.ai.job.*"
    /// `tw.exec.order.<ACCOUNT>`: order updates.
    public static func order(account: String) -> String { "tw.exec.order.\(account)" }
    /// The pattern matching every account's order updates.
    public static let everyOrder = "tw.exec.order.*"
    /// `tw.exec.fill.<ACCOUNT>`: fills.
    public static func fill(account: String) -> String { "tw.exec.fill.\(account)" }
    /// `tw.exec.position.<ACCOUNT>`: position changes.
    public static func position(account: String) -> String { "tw.exec.position.\(account)" }
    /// The pattern matching every account's position changes.
    public static let everyPosition = "tw.exec.position.*"
    /// `tw.risk.alert`: risk alerts for every account.
    public static let riskAlert = "tw.risk.alert"
    /// `tw.sys.<SERVICE>`: a service's own events.
    public static func system(_ service: String) -> String { "tw.sys.\(service)" }
    /// The hash holding a symbol's latest quote.
    public static func quoteKey(_ symbol: String) -> String { "tw.md.quote.\(symbol)" }
}
