/// The template library: strategies written in the strategy language that users start from (and
/// the chat assistant and optimiser build on). Each is an ordinary document; nothing here is
/// special-cased by the engine.
public enum StrategyTemplates {
    /// One template: its name, a sentence for people, and its document.
    public struct Template: Sendable, Hashable {
        public let name: String
        public let summary: String
        public let json: String
    }

    /// Every template, in the order a person browses them.
    public static let all: [Template] = [
        Template(
            name: "sma_cross", summary: "Buy when the fast SMA crosses above the slow one, sell on the cross back.",
            json: """
                {"version": 1, "name": "SMA cross",
                 "description": "Long when SMA(fast) crosses above SMA(slow); out when it crosses back below.",
                 "parameters": {"fast": {"int": [2, 100], "default": 10}, "slow": {"int": [5, 400], "default": 20}},
                 "signals": {"fast_ma": {"indicator": "sma", "period": "$fast"}, "slow_ma": {"indicator": "sma", "period": "$slow"}},
                 "rules": {"entry_long": [{"left": "fast_ma", "op": "crosses_above", "right": "slow_ma"}],
                           "exit_long": [{"left": "fast_ma", "op": "crosses_below", "right": "slow_ma"}]},
                 "sizing": {"model": "all_in"},
                 "execution": {"fill": "close"}}
                """),
        Template(
            name: "ema_cross", summary: "Buy when the fast EMA crosses above the slow one, sell on the cross back.",
            json: """
                {"version": 1, "name": "EMA cross",
                 "parameters": {"fast": {"int": [2, 100], "default": 12}, "slow": {"int": [5, 400], "default": 26}},
                 "signals": {"fast_ma": {"indicator": "ema", "period": "$fast"}, "slow_ma": {"indicator": "ema", "period": "$slow"}},
                 "rules": {"entry_long": [{"left": "fast_ma", "op": "crosses_above", "right": "slow_ma"}],
                           "exit_long": [{"left": "fast_ma", "op": "crosses_below", "right": "slow_ma"}]},
                 "sizing": {"model": "percent_equity", "percent": 95},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "rsi_reversal", summary: "Buy when RSI climbs back above the oversold level, sell when it falls back below overbought.",
            json: """
                {"version": 1, "name": "RSI reversal",
                 "parameters": {"period": {"int": [2, 50], "default": 14}, "oversold": {"float": [5, 45], "default": 30, "step": 5},
                                "overbought": {"float": [55, 95], "default": 70, "step": 5}},
                 "signals": {"rsi": {"indicator": "rsi", "period": "$period"}},
                 "rules": {"entry_long": [{"left": "rsi", "op": "crosses_above", "right": "$oversold"}],
                           "exit_long": [{"left": "rsi", "op": "crosses_below", "right": "$overbought"}]},
                 "exits": {"stop_loss": {"percent": 8}},
                 "sizing": {"model": "percent_equity", "percent": 95},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "macd_signal_cross", summary: "Buy when MACD crosses above its signal line, sell when it crosses below.",
            json: """
                {"version": 1, "name": "MACD signal cross",
                 "parameters": {"fast": {"int": [4, 50], "default": 12}, "slow": {"int": [10, 100], "default": 26},
                                "signal": {"int": [2, 30], "default": 9}},
                 "signals": {"macd": {"indicator": "macd", "fast": "$fast", "slow": "$slow", "signal": "$signal", "output": "macd"},
                             "macd_signal": {"indicator": "macd", "fast": "$fast", "slow": "$slow", "signal": "$signal", "output": "signal"}},
                 "rules": {"entry_long": [{"left": "macd", "op": "crosses_above", "right": "macd_signal"}],
                           "exit_long": [{"left": "macd", "op": "crosses_below", "right": "macd_signal"}]},
                 "sizing": {"model": "percent_equity", "percent": 95},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "bollinger_breakout", summary: "Buy a close above the upper Bollinger band, sell a close back below the middle.",
            json: """
                {"version": 1, "name": "Bollinger breakout",
                 "parameters": {"period": {"int": [5, 100], "default": 20}, "width": {"float": [1, 4], "default": 2, "step": 0.5}},
                 "signals": {"upper": {"indicator": "bbands", "period": "$period", "nbdevup": "$width", "nbdevdn": "$width", "output": "upper"},
                             "middle": {"indicator": "bbands", "period": "$period", "nbdevup": "$width", "nbdevdn": "$width", "output": "middle"}},
                 "rules": {"entry_long": [{"left": "close", "op": "crosses_above", "right": "upper"}],
                           "exit_long": [{"left": "close", "op": "crosses_below", "right": "middle"}]},
                 "exits": {"trailing_stop": {"atr": 3, "period": 14}},
                 "sizing": {"model": "percent_equity", "percent": 95},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "bollinger_reversion", summary: "Buy a close below the lower Bollinger band, sell at the middle band.",
            json: """
                {"version": 1, "name": "Bollinger reversion",
                 "parameters": {"period": {"int": [5, 100], "default": 20}, "width": {"float": [1, 4], "default": 2, "step": 0.5}},
                 "signals": {"lower": {"indicator": "bbands", "period": "$period", "nbdevup": "$width", "nbdevdn": "$width", "output": "lower"},
                             "middle": {"indicator": "bbands", "period": "$period", "nbdevup": "$width", "nbdevdn": "$width", "output": "middle"}},
                 "rules": {"entry_long": [{"left": "close", "op": "<", "right": "lower"}],
                           "exit_long": [{"left": "close", "op": ">=", "right": "middle"}]},
                 "exits": {"stop_loss": {"percent": 5}, "max_bars": 30},
                 "sizing": {"model": "percent_equity", "percent": 95},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "donchian_breakout", summary: "Buy a close above the highest high of the last N bars, sell below the lowest low of the last M.",
            json: """
                {"version": 1, "name": "Donchian breakout",
                 "parameters": {"entry": {"int": [5, 100], "default": 20}, "exit": {"int": [3, 100], "default": 10}},
                 "rules": {"entry_long": [{"left": "close", "op": ">", "right": {"ago": {"highest": "high", "bars": "$entry"}, "bars": 1}}],
                           "exit_long": [{"left": "close", "op": "<", "right": {"ago": {"lowest": "low", "bars": "$exit"}, "bars": 1}}]},
                 "sizing": {"model": "risk_percent", "percent": 1},
                 "exits": {"stop_loss": {"atr": 2, "period": 20}},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "buy_the_dip", summary: "In an uptrend (close above SMA 200), buy an RSI(2) dip; exit on strength, with an ATR stop.",
            json: """
                {"version": 1, "name": "Buy the dip with an ATR stop",
                 "parameters": {"trend": {"int": [50, 300], "default": 200, "step": 25}, "dip": {"float": [2, 30], "default": 10, "step": 2},
                                "stop_atr": {"float": [1, 5], "default": 2.5, "step": 0.5}},
                 "signals": {"rsi2": {"indicator": "rsi", "period": 2}, "uptrend": {"left": "close", "op": ">", "right": {"indicator": "sma", "period": "$trend"}}},
                 "rules": {"entry_long": ["uptrend", {"left": "rsi2", "op": "<", "right": "$dip"}],
                           "exit_long": [{"left": "rsi2", "op": ">", "right": 70}]},
                 "exits": {"stop_loss": {"atr": "$stop_atr", "period": 14}, "max_bars": 10},
                 "sizing": {"model": "risk_percent", "percent": 2},
                 "execution": {"fill": "next_open", "fee_bps": 10}}
                """),
        Template(
            name: "rsi_macd_atr", summary: "RSI and MACD agree on momentum; an ATR stop and an ATR trailing stop protect it.",
            json: """
                {"version": 1, "name": "RSI + MACD with ATR stops",
                 "parameters": {"rsi_period": {"int": [5, 30], "default": 14}, "stop_atr": {"float": [1, 5], "default": 2, "step": 0.5},
                                "trail_atr": {"float": [1, 6], "default": 3, "step": 0.5}},
                 "signals": {"rsi": {"indicator": "rsi", "period": "$rsi_period"}, "hist": {"indicator": "macd", "output": "hist"}},
                 "rules": {"entry_long": [{"left": "rsi", "op": ">", "right": 50}, {"left": "hist", "op": "crosses_above", "right": 0},
                                          {"rising": "close", "bars": 2}],
                           "exit_long": [{"or": [{"left": "rsi", "op": "<", "right": 40}, {"left": "hist", "op": "crosses_below", "right": 0}]}]},
                 "exits": {"stop_loss": {"atr": "$stop_atr", "period": 14}, "trailing_stop": {"atr": "$trail_atr", "period": 14}},
                 "sizing": {"model": "atr", "percent": 1, "multiple": 2, "period": 14},
                 "execution": {"fill": "next_open", "fee_bps": 5, "slippage_bps": 2}}
                """),
        consensus(
            "balanced", summary: "All four agents vote (trend, momentum, RSI reversion, volatility); buy on a clear majority, sell on the opposite.",
            weights: [.trend: 0.35, .momentum: 0.2, .rsiReversion: 0.3, .volatility: 0.15], threshold: 0.25),
        consensus(
            "trend_following", summary: "Rides trends: the EMA crossover and MACD momentum agents vote.",
            weights: [.trend: 0.6, .momentum: 0.4], threshold: 0.3),
        consensus(
            "ai_ensemble",
            summary:
                "The design's ensemble: a language model (40%) with the chart (15%), risk (15%), trend (10%), news (10%) and macro (10%) agents; the risk agent vetoes entries when too volatile; agents with nothing to go on (no model, no news, no economic data configured) abstain and the others decide.",
            weights: [.llm: 0.4, .momentum: 0.075, .rsiReversion: 0.075, .volatility: 0.15, .trend: 0.1, .news: 0.1, .macro: 0.1], threshold: 0.25, veto: [.volatility: 0.9]),
        consensus(
            "mean_reversion", summary: "Buys dips and sells rips: RSI reversion, tempered by volatility.",
            weights: [.rsiReversion: 0.7, .volatility: 0.3], threshold: 0.3),
    ]

    /// A preset of rule agents: the consensus score of every agent (weights as parameters, 0 for
    /// those the preset leaves out, so a user can bring one in), long at +threshold, out at −threshold.
    /// Every agent parameter is declared, so the API, the optimiser and the assistant can set it.
    private static func consensus(_ name: String, summary: String, weights: [TradingAgent: Double], threshold: Double, veto: [TradingAgent: Double] = [:]) -> Template {
        func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        var parameters = ["\"threshold\": {\"float\": [0.01, 1], \"default\": \(number(threshold)), \"step\": 0.05}"]
        parameters += TradingAgent.allCases.map { "\"\($0.rawValue)_weight\": {\"float\": [0, 1], \"default\": \(number(weights[$0] ?? 0)), \"step\": 0.05}" }
        parameters += AgentParameters.catalog.sorted { $0.key < $1.key }.map { key, d in
            "\"\(key)\": {\"\(d.integer ? "int" : "float")\": [\(number(d.range.lowerBound)), \(number(d.range.upperBound))], \"default\": \(number(d.defaultValue))}"
        }
        let votes = TradingAgent.allCases.map { "\"\($0.rawValue)\": \"$\($0.rawValue)_weight\"" }.joined(separator: ", ")
        let settings = AgentParameters.catalog.keys.sorted().map { "\"\($0)\": \"$\($0)\"" }.joined(separator: ", ")
        let title = String(name.map { $0 == "_" ? " " : $0 })
        let vetoes = veto.isEmpty ? "" : ", \"veto\": {" + veto.keys.sorted { $0.rawValue < $1.rawValue }.map { "\"\($0.rawValue)\": \(number(veto[$0]!))" }.joined(separator: ", ") + "}"
        return Template(
            name: name, summary: summary,
            json: """
                {"version": 1, "name": "\(title)", "description": "\(summary)",
                 "parameters": {\(parameters.joined(separator: ",\n                "))},
                 "signals": {"score": {"consensus": {\(votes)}, "agent_params": {\(settings)}\(vetoes)}},
                 "rules": {"entry_long": [{"left": "score", "op": ">=", "right": "$threshold"}],
                           "exit_long": [{"left": "score", "op": "<=", "right": {"left": 0, "op": "-", "right": "$threshold"}}]},
                 "sizing": {"model": "percent_equity", "percent": 20},
                 "execution": {"fill": "close"}}
                """)
    }

    /// The document text of the template `name`, if there is one.
    public static func json(named name: String) -> String? { all.first { $0.name == name }?.json }
}
