import Foundation
import Strategies
import Testing
import Wire

@testable import OrchestratorService

/// The offline assistant against descriptions written for the tests, each with the strategy it
/// must produce, compared by meaning: the same rules (conditions rendered canonically, in order),
/// exits and size, whatever the document's names.
@Suite struct AssistantCorpusTests {
    /// A description and what it must give: `entry_long`, `exit_long`, `entry_short`,
    /// `exit_short` (conditions joined by " & "), `stop_loss`, `take_profit`, `trailing_stop`
    /// ("2%", "1.5atr"), `sizing` ("risk_percent 1"); a key left out must be absent (sizing then
    /// the default, 10% of equity).
    static let corpus: [(String, [String: String])] = [
        ("Buy when the 50-day moving average crosses above the 200-day moving average and sell when the 50-day crosses below the 200-day.",
         ["entry_long": "sma(50) crosses_above sma(200)", "exit_long": "sma(50) crosses_below sma(200)"]),
        ("Buy on a golden cross, sell on a death cross.", ["entry_long": "sma(50) crosses_above sma(200)", "exit_long": "sma(50) crosses_below sma(200)"]),
        ("Go long when the 9 EMA crosses over the 21 EMA; exit when the 9 EMA crosses under the 21 EMA.",
         ["entry_long": "ema(9) crosses_above ema(21)", "exit_long": "ema(9) crosses_below ema(21)"]),
        ("buy when EMA 12 crosses above EMA 26, sell when EMA 12 crosses below EMA 26", ["entry_long": "ema(12) crosses_above ema(26)", "exit_long": "ema(12) crosses_below ema(26)"]),
        ("Buy when the 20 SMA crosses above the 50 SMA. Sell when the 20 SMA crosses below the 50 SMA. Use a 2% stop loss.",
         ["entry_long": "sma(20) crosses_above sma(50)", "exit_long": "sma(20) crosses_below sma(50)", "stop_loss": "2%"]),
        ("Buy when the 10 WMA crosses above the 30 WMA and take profit at 6%", ["entry_long": "wma(10) crosses_above wma(30)", "take_profit": "6%"]),
        ("Buy when RSI drops below 30 and sell when RSI rises above 70", ["entry_long": "rsi(14) crosses_below 30", "exit_long": "rsi(14) crosses_above 70"]),
        ("Buy when RSI is below 30, sell when it is above 70.", ["entry_long": "rsi(14) < 30", "exit_long": "rsi(14) > 70"]),
        ("buy when rsi(7) is under 20, sell when rsi(7) is over 80", ["entry_long": "rsi(7) < 20", "exit_long": "rsi(7) > 80"]),
        ("Buy when the 2-period RSI is below 10 and the price is above the 200-day moving average. Sell when the 2-period RSI is above 70.",
         ["entry_long": "rsi(2) < 10 & close > sma(200)", "exit_long": "rsi(2) > 70"]),
        ("Buy when RSI is oversold and sell when RSI is overbought", ["entry_long": "rsi(14) < 30", "exit_long": "rsi(14) > 70"]),
        ("Buy when RSI is below 25 with a 3% stop loss and a 6% take profit", ["entry_long": "rsi(14) < 25", "stop_loss": "3%", "take_profit": "6%"]),
        ("Buy when MACD crosses above its signal line, sell when MACD crosses below the signal line",
         ["entry_long": "macd.macd crosses_above macd.signal", "exit_long": "macd.macd crosses_below macd.signal"]),
        ("Buy when the MACD crosses above zero and sell when the MACD crosses below zero", ["entry_long": "macd.macd crosses_above 0", "exit_long": "macd.macd crosses_below 0"]),
        ("Buy when the MACD histogram turns positive, sell when the MACD histogram turns negative",
         ["entry_long": "macd.hist crosses_above 0", "exit_long": "macd.hist crosses_below 0"]),
        ("Buy when the price closes below the lower Bollinger band and sell when it touches the middle band",
         ["entry_long": "close < bbands(20).lower", "exit_long": "close > bbands(20).middle"]),
        ("Buy when price crosses above the upper Bollinger Band. Exit when price crosses below the middle band. Trailing stop of 3 ATR.",
         ["entry_long": "close crosses_above bbands(20).upper", "exit_long": "close crosses_below bbands(20).middle", "trailing_stop": "3atr"]),
        ("Buy when the stochastic %K crosses above 20, sell when the stochastic %K crosses below 80",
         ["entry_long": "stoch.slowk crosses_above 20", "exit_long": "stoch.slowk crosses_below 80"]),
        ("Buy when stochastic is below 20 and sell when stochastic is above 80", ["entry_long": "stoch.slowk < 20", "exit_long": "stoch.slowk > 80"]),
        ("Buy when the 20 EMA crosses above the 50 EMA but only when ADX is above 25. Sell when the 20 EMA crosses below the 50 EMA.",
         ["entry_long": "ema(20) crosses_above ema(50) & adx(14) > 25", "exit_long": "ema(20) crosses_below ema(50)"]),
        ("Buy a breakout of the 20-day high and sell when the price breaks the 10-day low",
         ["entry_long": "close > ago(highest(high,20),1)", "exit_long": "close < ago(lowest(low,10),1)"]),
        ("Buy when price breaks above the 55-day high, sell when price breaks below the 20-day low, risk 1% per trade with a 2 ATR stop",
         ["entry_long": "close > ago(highest(high,55),1)", "exit_long": "close < ago(lowest(low,20),1)", "sizing": "risk_percent 1", "stop_loss": "2atr"]),
        ("Buy when the close makes a new 50 bar high with a 2 ATR stop", ["entry_long": "close > ago(highest(high,50),1)", "stop_loss": "2atr"]),
        ("Buy the dip in an uptrend with a 5% take profit and a 3% stop", ["entry_long": "rsi(2) < 10 & close > sma(200)", "take_profit": "5%", "stop_loss": "3%"]),
        ("buy the dip, sell when RSI is above 60", ["entry_long": "rsi(2) < 10", "exit_long": "rsi(14) > 60"]),
        ("Buy dips when RSI is below 25 and sell when RSI is above 55", ["entry_long": "rsi(14) < 25", "exit_long": "rsi(14) > 55"]),
        ("Buy when the price is above the 200 day moving average and RSI is below 40. Sell when RSI is above 65.",
         ["entry_long": "close > sma(200) & rsi(14) < 40", "exit_long": "rsi(14) > 65"]),
        ("Buy when the price crosses above the 50 EMA, sell when the price crosses below the 50 EMA",
         ["entry_long": "close crosses_above ema(50)", "exit_long": "close crosses_below ema(50)"]),
        ("Buy when the close is above the 20 SMA and volume is above average. Sell when the close is below the 20 SMA.",
         ["entry_long": "close > sma(20) & volume > sma(20)@volume", "exit_long": "close < sma(20)"]),
        ("Buy when MACD crosses above the signal line. Don't buy when volatility is high. Sell when MACD crosses below the signal line.",
         ["entry_long": "macd.macd crosses_above macd.signal & not((atr(14) / close) > 0.03)", "exit_long": "macd.macd crosses_below macd.signal"]),
        ("Buy when RSI is below 30, don't buy in a downtrend, and sell when RSI is above 70",
         ["entry_long": "rsi(14) < 30 & not(close < sma(200))", "exit_long": "rsi(14) > 70"]),
        ("Buy when the 10 EMA crosses above the 30 EMA only if the price is above the 200 SMA, and exit with a 4% trailing stop",
         ["entry_long": "ema(10) crosses_above ema(30) & close > sma(200)", "trailing_stop": "4%"]),
        ("Never buy when volatility is high. Buy when RSI crosses below 30. Take profit at 8%, stop loss at 4%.",
         ["entry_long": "rsi(14) crosses_below 30 & not((atr(14) / close) > 0.03)", "take_profit": "8%", "stop_loss": "4%"]),
        ("Short when the 50 SMA crosses below the 200 SMA and cover when the 50 SMA crosses above the 200 SMA",
         ["entry_short": "sma(50) crosses_below sma(200)", "exit_short": "sma(50) crosses_above sma(200)"]),
        ("Sell short when RSI is above 75 and cover when RSI is below 50", ["entry_short": "rsi(14) > 75", "exit_short": "rsi(14) < 50"]),
        ("Go short when price breaks the 20-day low with a 2% stop loss", ["entry_short": "close < ago(lowest(low,20),1)", "stop_loss": "2%"]),
        ("Buy when RSI is below 30 and sell when RSI is above 70. Short when RSI is above 80 and cover when RSI is below 50.",
         ["entry_long": "rsi(14) < 30", "exit_long": "rsi(14) > 70", "entry_short": "rsi(14) > 80", "exit_short": "rsi(14) < 50"]),
        ("Buy when the 5 EMA crosses above the 20 EMA. Use 25% of my equity. Stop loss 1.5%.",
         ["entry_long": "ema(5) crosses_above ema(20)", "sizing": "percent_equity 25", "stop_loss": "1.5%"]),
        ("Buy 100 shares when the price crosses above the 50 day SMA, sell when it crosses below the 50 day SMA",
         ["entry_long": "close crosses_above sma(50)", "exit_long": "close crosses_below sma(50)", "sizing": "fixed_quantity 100"]),
        ("Invest $500 per trade. Buy when RSI is below 35, sell when RSI is above 65.",
         ["entry_long": "rsi(14) < 35", "exit_long": "rsi(14) > 65", "sizing": "fixed_cash 500"]),
        ("Risk 2% of my account per trade. Buy when MACD histogram turns positive. Stop at 2 ATR, target 4 ATR.",
         ["entry_long": "macd.hist crosses_above 0", "sizing": "risk_percent 2", "stop_loss": "2atr", "take_profit": "4atr"]),
        ("Buy BTC on the 1-hour chart when RSI is below 30 and sell when RSI is above 70", ["entry_long": "rsi(14) < 30", "exit_long": "rsi(14) > 70"]),
        ("On the daily chart, buy AAPL when the 50 SMA crosses above the 200 SMA; sell with a 10% trailing stop",
         ["entry_long": "sma(50) crosses_above sma(200)", "trailing_stop": "10%"]),
        ("For ETH/USDT on 15 minute bars: buy when the close crosses above the upper band, sell when the close crosses below the middle band",
         ["entry_long": "close crosses_above bbands(20).upper", "exit_long": "close crosses_below bbands(20).middle"]),
        ("Buy when ADX is above 30 and the 20 EMA is above the 50 EMA; sell when the 20 EMA is below the 50 EMA",
         ["entry_long": "adx(14) > 30 & ema(20) > ema(50)", "exit_long": "ema(20) < ema(50)"]),
        ("Buy when the trend is strong and the price is above the 100 EMA. Sell when the price is below the 100 EMA.",
         ["entry_long": "adx(14) > 25 & close > ema(100)", "exit_long": "close < ema(100)"]),
        ("Buy when price is above the 200 EMA and the 8 EMA crosses above the 21 EMA. Exit when the 8 EMA crosses below the 21 EMA.",
         ["entry_long": "close > ema(200) & ema(8) crosses_above ema(21)", "exit_long": "ema(8) crosses_below ema(21)"]),
        ("Buy when RSI 14 crosses above 30. Sell when RSI 14 crosses below 70. Stop loss 5%.",
         ["entry_long": "rsi(14) crosses_above 30", "exit_long": "rsi(14) crosses_below 70", "stop_loss": "5%"]),
        ("When RSI is below 20 buy, when RSI is above 80 sell", ["entry_long": "rsi(14) < 20", "exit_long": "rsi(14) > 80"]),
        ("Enter long when the 30 SMA is above the 90 SMA and RSI is below 45. Close the position when RSI is above 75.",
         ["entry_long": "sma(30) > sma(90) & rsi(14) < 45", "exit_long": "rsi(14) > 75"]),
        ("Buy when the price closes above the 20-day high. Take profit at 10%. Trail by 2 ATR.",
         ["entry_long": "close > ago(highest(high,20),1)", "take_profit": "10%", "trailing_stop": "2atr"]),
        ("Buy when the close is below the lower band and RSI is below 30; sell at the upper band",
         ["entry_long": "close < bbands(20).lower & rsi(14) < 30", "exit_long": "close > bbands(20).upper"]),
        ("Buy when volume is above its 50-day average and the price crosses above the 20 EMA; sell when the price crosses below the 20 EMA",
         ["entry_long": "volume > sma(50)@volume & close crosses_above ema(20)", "exit_long": "close crosses_below ema(20)"]),
        ("Buy when the price rises 3% in a day, sell when the price falls 2%",
         ["entry_long": "close > (ago(close,1) * 1.03)", "exit_long": "close < (ago(close,1) * 0.98)"]),
        ("Only trade in an uptrend. Buy when RSI is below 35. Sell when RSI is above 60.",
         ["entry_long": "rsi(14) < 35 & close > sma(200)", "exit_long": "rsi(14) > 60"]),
        ("Buy when the stochastic crosses above 20 as long as the price is above the 50 SMA; exit with a 3% stop loss or a 6% target",
         ["entry_long": "stoch.slowk crosses_above 20 & close > sma(50)", "stop_loss": "3%", "take_profit": "6%"]),
        ("Avoid buying when volatility is high. Buy on a golden cross. Sell on a death cross.",
         ["entry_long": "sma(50) crosses_above sma(200) & not((atr(14) / close) > 0.03)", "exit_long": "sma(50) crosses_below sma(200)"]),
        ("Buy when the 12 EMA crosses above the 26 EMA and MACD is above zero; sell when the 12 EMA crosses below the 26 EMA",
         ["entry_long": "ema(12) crosses_above ema(26) & macd.macd > 0", "exit_long": "ema(12) crosses_below ema(26)"]),
        ("I want to buy when RSI(14) drops below 28 and sell when it climbs above 72, with a 2.5% stop loss",
         ["entry_long": "rsi(14) crosses_below 28", "exit_long": "rsi(14) crosses_above 72", "stop_loss": "2.5%"]),
        ("Buy when the price crosses above the 20 SMA. Sell when the price crosses below the 20 SMA. Put 50% of my capital in each trade.",
         ["entry_long": "close crosses_above sma(20)", "exit_long": "close crosses_below sma(20)", "sizing": "percent_equity 50"]),
        ("Short when the price crosses below the lower band, cover when the price crosses above the middle band, 2 ATR stop",
         ["entry_short": "close crosses_below bbands(20).lower", "exit_short": "close crosses_above bbands(20).middle", "stop_loss": "2atr"]),
        ("Buy when the 21 EMA crosses above the 55 EMA in an uptrend, sell when the 21 EMA crosses below the 55 EMA, trailing stop 5%",
         ["entry_long": "ema(21) crosses_above ema(55) & close > sma(200)", "exit_long": "ema(21) crosses_below ema(55)", "trailing_stop": "5%"]),
    ]

    @Test(arguments: corpus.indices)
    func readsTheDescription(_ index: Int) throws {
        let (text, expected) = Self.corpus[index]
        let answer = StrategyAssistant().answer([text])
        let document = try #require(answer.strategy?.document, "no strategy for: \(text)\nreply: \(answer.reply)\nquestions: \(answer.questions)")
        let root = try JSONValue(parsing: document)
        var got: [String: String] = [:]
        for rule in ["entry_long", "exit_long", "entry_short", "exit_short"] {
            if let conditions = root["rules"]?[rule]?.array { got[rule] = conditions.map(Self.render).joined(separator: " & ") }
        }
        for exit in ["stop_loss", "take_profit", "trailing_stop"] {
            if let distance = root["exits"]?[exit] { got[exit] = Self.render(distance) }
        }
        let sizing = Self.render(root["sizing"] ?? .null)
        if sizing != "percent_equity 10" { got["sizing"] = sizing }
        #expect(got == expected, "\(text)")
        #expect(answer.questions.isEmpty, "\(text): \(answer.questions)")
        // It compiles, as every bot's strategy must.
        _ = try StrategyCompiler.compile(try StrategyDocument(json: document))
    }

    @Test func atLeastSixtyDescriptions() { #expect(Self.corpus.count >= 60) }

    @Test func asksExactlyWhatIsMissing() {
        let assistant = StrategyAssistant()
        let noExit = assistant.answer(["buy when RSI is below 30"])
        #expect(noExit.strategy == nil && noExit.questions.first?.hasPrefix("When should it sell?") == true)
        // The next message answers it: the conversation is read whole.
        let both = assistant.answer(["buy when RSI is below 30", "sell when RSI is above 70"])
        #expect(both.strategy != nil && both.questions.isEmpty && both.reply.contains("buy when RSI(14) is below 30"))
        let noCover = assistant.answer(["short when RSI is above 80"])
        #expect(noCover.strategy == nil && noCover.questions.first?.hasPrefix("When should it buy back the short?") == true)
        let unknown = assistant.answer(["buy when the moon is full and RSI is below 30, sell when RSI is above 70"])
        #expect(unknown.questions.contains { $0.contains("I did not understand “moon full”") })
        let vague = assistant.answer(["hello, make me money"])
        #expect(vague.strategy == nil && !vague.questions.isEmpty)
        let pine = assistant.answer(["buy when the 10 SMA crosses above the 30 SMA, sell when the 10 SMA crosses below the 30 SMA", "show it as Pine"])
        #expect(pine.reply.contains("```pine\n//@version=6") && pine.reply.contains("ta.crossover(ta_sma_10, ta_sma_30)"))
        let explained = assistant.answer(["explain sma_cross"])
        #expect(explained.reply.hasPrefix("sma_cross:") && explained.reply.contains("Buy when SMA(the parameter fast) crosses above SMA(the parameter slow)"))
        let invalid = assistant.answer(["buy when RSI 1 is below 30, sell when RSI 1 is above 70"])
        #expect(invalid.strategy == nil && invalid.reply.contains("does not make a valid strategy"))
    }

    /// A condition, exit or size as compact text: `sma(50) crosses_above sma(200)`, `2%`, `risk_percent 1`.
    static func render(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() ? String(Int(n)) : String(n)
        case .object(let o):
            if let name = o["indicator"]?.string {
                var text = name
                if let period = o["period"] { text += "(\(render(period)))" }
                if let output = o["output"]?.string { text += ".\(output)" }
                if let source = o["source"]?.string { text += "@\(source)" }
                return text
            }
            if let left = o["left"], let op = o["op"]?.string, let right = o["right"] {
                let arithmetic = ["+", "-", "*", "/"].contains(op)
                let inner = "\(operand(left)) \(op) \(operand(right))"
                return arithmetic ? "(\(inner))" : inner
            }
            if let x = o["not"] { return "not(\(render(x)))" }
            if let all = o["and"]?.array { return all.map(render).joined(separator: " & ") }
            for window in ["highest", "lowest", "ago"] {
                if let x = o[window], let bars = o["bars"] { return "\(window)(\(render(x)),\(render(bars)))" }
            }
            if let pct = o["percent"], o["model"] == nil { return "\(render(pct))%" }
            if let atr = o["atr"] { return "\(render(atr))atr" }
            if let model = o["model"]?.string {
                let amount = o["percent"] ?? o["quantity"] ?? o["amount"]
                return amount.map { "\(model) \(render($0))" } ?? model
            }
            return v.jsonText
        default: return v.jsonText
        }
    }

    static func operand(_ v: JSONValue) -> String {
        let text = render(v)
        if case .object(let o) = v, o["left"] != nil, !text.hasPrefix("(") { return "(\(text))" }
        return text
    }
}
