import Foundation
import Indicators
import Strategies
import TradingCore

/// What the LLM agent is shown of a bar: the recent price action, the values the strategy's
/// indicators have on it, the bot's position and its recent decisions, as plain text.
public struct MarketContext: Sendable {
    public var symbol: String
    public var timeframe: String
    /// Oldest first; the last is the bar being decided on.
    public var bars: [(timeNs: Int64, bar: PriceBar)]
    public var indicators: [(label: String, value: Double)]
    public var position: PositionView
    /// The bot's latest decisions' actions, oldest first.
    public var recentActions: [String]
    /// The leakage guard (backtests): the symbol replaced by an alias, no dates, prices and
    /// price-scale indicators rebased to 100 at the window's first close, so the model cannot
    /// recall what came next.
    public var guarded = false

    /// A context; `bars` oldest first, ending with the bar decided on.
    public init(
        symbol: String, timeframe: String, bars: [(timeNs: Int64, bar: PriceBar)], indicators: [(label: String, value: Double)], position: PositionView,
        recentActions: [String]
    ) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
        self.indicators = indicators
        self.position = position
        self.recentActions = recentActions
    }

    /// Bars shown one by one (more are summarised).
    static let barsShown = 20

    /// The user message.
    public var prompt: String {
        guard let last = bars.last else { return "No bars yet." }
        let shown = bars.suffix(Self.barsShown)
        // Guarded: every price over the first shown close, times 100.
        let scale = guarded ? 100 / (shown.first?.bar.close ?? 1) : 1
        func price(_ x: Double) -> String { Self.number(x * scale) }
        // Guarded, volume too is relative (to the shown bars' average): its size names a market.
        let meanVolume = shown.map(\.bar.volume).reduce(0, +) / Double(max(1, shown.count))
        func volume(_ v: Double) -> String { guarded && meanVolume > 0 ? Self.number(v / meanVolume) : Self.number(v) }
        var lines = [
            guarded
                ? "Market: ASSET (its name, dates and price level are hidden), \(timeframe) bars; prices are rebased to 100 at the first bar shown. The latest bar has just closed at \(price(last.bar.close))."
                : "Market: \(symbol), \(timeframe) bars. The latest bar has just closed at \(Self.number(last.bar.close))."
        ]
        lines.append(guarded ? "Recent bars, oldest first (bar: open high low close volume, volume relative to the average of these bars):" : "Recent bars, oldest first (UTC open time: open high low close volume):")
        for (k, (time, bar)) in shown.enumerated() {
            let label = guarded ? "t-\(shown.count - 1 - k)" : Self.time(time)
            lines.append("\(label): \(price(bar.open)) \(price(bar.high)) \(price(bar.low)) \(price(bar.close)) \(volume(bar.volume))")
        }
        let closes = bars.map(\.bar.close)
        func change(_ n: Int) -> String? {
            guard closes.count > n, closes[closes.count - 1 - n] > 0 else { return nil }
            return Self.percent(closes.last! / closes[closes.count - 1 - n] - 1) + " over \(n) bar\(n == 1 ? "" : "s")"
        }
        let changes = [1, 5, 20, 50].compactMap(change)
        if !changes.isEmpty { lines.append("Change: " + changes.joined(separator: ", ") + ".") }
        let window = bars.suffix(50)
        if let high = window.map(\.bar.high).max(), let low = window.map(\.bar.low).min() {
            lines.append("Range of the last \(window.count) bars: \(price(low)) to \(price(high)).")
        }
        let volumes = window.map(\.bar.volume)
        if volumes.count > 1, let latest = volumes.last, case let average = volumes.dropLast().reduce(0, +) / Double(volumes.count - 1), average > 0 {
            lines.append("Volume of the latest bar: \(Self.number(latest / average))× the average of the \(volumes.count - 1) before it.")
        }
        let known = indicators.filter { $0.value.isFinite }
        func indicator(_ label: String, _ value: Double) -> String {
            guarded && Self.priceScale(label) ? price(value) : Self.number(value)
        }
        lines.append(known.isEmpty ? "Indicators: none known yet." : "Indicators on the latest bar: " + known.map { "\($0.label) = \(indicator($0.label, $0.value))" }.joined(separator: "; ") + ".")
        if position.quantity == 0 {
            lines.append("Position: none (flat).")
        } else {
            let side = position.quantity > 0 ? "long" : "short"
            let pnl = position.entryPrice > 0 ? (last.bar.close / position.entryPrice - 1) * (position.quantity > 0 ? 1 : -1) : .nan
            lines.append(
                "Position: \(side) \(Self.number(abs(position.quantity))) at \(Self.number(position.entryPrice))\(pnl.isFinite ? " (\(Self.percent(pnl)))" : ""), held \(position.barsInTrade) bars.")
        }
        if !recentActions.isEmpty { lines.append("The bot's recent decisions, oldest first: \(recentActions.joined(separator: ", ")).") }
        lines.append("Vote on what to do at this close: buy, sell or hold, with your confidence from 0 to 1 and a sentence or two of reasoning.")
        return lines.joined(separator: "\n")
    }

    /// Indicators whose values are in the price's units (moving averages, bands, ATR, MACD…),
    /// rebased with the prices by the leakage guard; oscillators (RSI, ADX, stochastic…) are not.
    static let priceScaleIndicators: Set<String> = [
        "sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3", "ma", "bbands", "midpoint", "midprice", "sar", "sarext", "atr",
        "trange", "macd", "macdext", "macdfix", "apo", "mom", "stddev", "linearreg", "linearreg_intercept", "tsf", "ht_trendline", "avgprice",
        "medprice", "typprice", "wclprice", "max", "min", "plus_dm", "minus_dm",
    ]

    static func priceScale(_ label: String) -> Bool {
        let name = label.prefix { $0 != "_" && $0 != "." && $0 != "@" }
        return priceScaleIndicators.contains(String(name))
    }

    /// The agent's standing instructions.
    public static let system = """
        You are one agent in an automated trading bot's ensemble; other agents read trend, momentum, \
        mean reversion and volatility. Judge only from the data you are given, not from anything you \
        may remember about this market. Vote buy when you expect the price to rise over the next few \
        bars, sell when you expect it to fall, hold when neither is clear. Your confidence weighs your \
        vote: use 0.2 or less when the picture is mixed, above 0.7 only when the evidence is strong. \
        Answer only with the vote.
        """

    /// Up to 6 significant figures, no exponent for everyday magnitudes.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        let magnitude = abs(x)
        let decimals = magnitude >= 1000 ? 2 : magnitude >= 1 ? 4 : 6
        var text = String(format: "%.\(decimals)f", x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    static func percent(_ x: Double) -> String { (x >= 0 ? "+" : "") + String(format: "%.2f", x * 100) + " %" }

    /// `YYYY-MM-DD HH:MM`, UTC (by arithmetic: a formatter per bar would cost more than the rest).
    static func time(_ ns: Int64) -> String {
        let seconds = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let minute = Int(seconds - Int64(days) * 86_400) / 60
        let (y, m, d) = CivilDate.civil(fromDays: days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(minute / 60)):\(two(minute % 60))"
    }
}
