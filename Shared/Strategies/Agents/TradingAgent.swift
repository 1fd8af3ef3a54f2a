import Indicators

/// One agent's vote on a bar: buy (+1), sell (−1) or hold (0), how sure it is (0…1) and, when
/// asked for, why in words.
public struct AgentOpinion: Sendable, Hashable {
    /// What the agent would do.
    public enum Action: String, Sendable, Hashable { case buy, sell, hold }
    public var action: Action
    /// 0 (abstains) to 1 (sure).
    public var confidence: Double
    /// Why, in words; empty unless asked for.
    public var reasoning: String

    /// An opinion; `confidence` in 0…1.
    public init(action: Action, confidence: Double, reasoning: String) {
        self.action = action
        self.confidence = confidence
        self.reasoning = reasoning
    }

    static func hold(_ reasoning: @autoclosure () -> String, confidence: Double = 0, explain: Bool) -> AgentOpinion {
        AgentOpinion(action: .hold, confidence: confidence, reasoning: explain ? reasoning() : "")
    }
}

/// The agents a `consensus` signal weighs. A rule agent reads a few indicator outputs (computed by
/// the plan like any other indicator) and votes; rule agents are pure, so a backtest and a live
/// bot get the same votes from the same bars. An external agent (`llm`, `news`, `macro`) votes
/// from outside the program: the driver hands its opinion in with the bar (`AgentVotes`), and
/// without one it abstains.
public enum TradingAgent: String, Sendable, Hashable, CaseIterable {
    case trend
    case momentum
    case rsiReversion = "rsi_reversion"
    case volatility
    /// A language model reading the bar's market context (the orchestrator's `LLMAgent`).
    case llm
    /// The symbol's recent headlines, scored for sentiment (the orchestrator's `NewsAgent`).
    case news
    /// Economic series and configured risk-off windows: risk-on or risk-off (the orchestrator's `MacroAgent`).
    case macro

    /// Whether its vote comes from outside the program (a model call, news, economic data) rather
    /// than from indicators.
    public var isExternal: Bool {
        switch self {
        case .llm, .news, .macro: true
        case .trend, .momentum, .rsiReversion, .volatility: false
        }
    }

    /// What it is, for catalogues (ListAgents) and the assistant.
    public struct Info: Sendable, Hashable {
        /// As documents name it (`rsi_reversion`).
        public var name: String
        /// `trend`, `chart` or `risk`.
        public var kind: String
        public var description: String
        /// Its weight in the `balanced` preset.
        public var defaultWeight: Double
    }

    /// Its name, kind, description and default weight.
    public var info: Info {
        switch self {
        case .trend:
            Info(name: rawValue, kind: "trend", description: "EMA crossover (fast vs slow), confirmed by the close against the slow SMA", defaultWeight: 0.35)
        case .momentum: Info(name: rawValue, kind: "chart", description: "MACD histogram sign and size", defaultWeight: 0.2)
        case .rsiReversion: Info(name: rawValue, kind: "chart", description: "RSI mean reversion: buys oversold, sells overbought", defaultWeight: 0.3)
        case .volatility:
            Info(name: rawValue, kind: "risk", description: "ATR against price (holds when too volatile); Bollinger band extremes", defaultWeight: 0.15)
        case .llm:
            Info(
                name: rawValue, kind: "llm",
                description: "a language model reads the bar's market context and votes; abstains with no provider configured, over budget, or late",
                defaultWeight: 0.4)
        case .news:
            Info(
                name: rawValue, kind: "news",
                description: "the symbol's headlines of the last hours, scored for sentiment (by the model when one is configured, else a lexicon); stale news has no weight",
                defaultWeight: 0.1)
        case .macro:
            Info(
                name: rawValue, kind: "macro",
                description: "economic series (rates, inflation, unemployment from FRED) and configured risk-off windows: sells risk-off, buys risk-on",
                defaultWeight: 0.1)
        }
    }

    /// The indicator outputs it reads under `p`, in the order `opinion` takes them.
    public func inputs(_ p: AgentParameters) -> [IndicatorCall] {
        func call(_ name: String, _ params: [Double], output: String? = nil) -> IndicatorCall {
            IndicatorCall(name: name, arguments: params.map { .init(name: nil, value: .literal($0), pointer: "") }, source: nil, output: output)
        }
        switch self {
        case .trend: return [call("ema", [p["fast_period"]]), call("ema", [p["slow_period"]]), call("sma", [p["slow_period"]])]
        case .momentum: return [call("macd", [p["fast_period"], p["slow_period"], p["signal_period"]], output: "hist")]
        case .rsiReversion: return [call("rsi", [p["rsi_period"]])]
        case .llm, .news, .macro: return []
        case .volatility:
            let width = p["bb_stddev"]
            return [
                call("bbands", [p["bb_period"], width, width], output: "upper"), call("bbands", [p["bb_period"], width, width], output: "lower"),
                call("atr", [p["atr_period"]]),
            ]
        }
    }

    /// Its opinion again from `features` as `ConsensusProgram.features` kept them; nil for an
    /// external agent or features that do not hold what it reads.
    public func replay(_ features: [String: Double]) -> AgentOpinion? {
        guard !isExternal, let close = features["close"] else { return nil }
        var given: [String: Double] = [:]
        for (key, value) in features where key.hasPrefix("p.") { given[String(key.dropFirst(2))] = value }
        guard let p = try? AgentParameters(given) else { return nil }
        var inputs: [Double] = []
        for (k, call) in self.inputs(p).enumerated() {
            guard let v = features["\(k).\(call.label)"] else { return nil }
            inputs.append(v)
        }
        return opinion(inputs, close: close, p, explain: true)
    }

    /// Its vote given `inputs` (as `inputs(p)` lists them; NaN while warming up; for an external
    /// agent the vote handed in, `AgentVotes.encode`) and the close. The reasoning text is built
    /// only when `explain` is set (backtests never ask).
    public func opinion(_ x: [Double], close: Double, _ p: AgentParameters, explain: Bool) -> AgentOpinion {
        func vote(_ buy: Bool, _ confidence: Double, _ reasoning: @autoclosure () -> String) -> AgentOpinion {
            AgentOpinion(action: buy ? .buy : .sell, confidence: confidence, reasoning: explain ? reasoning() : "")
        }
        switch self {
        case .trend:
            let fast = x[0], slow = x[1], sma = x[2]
            guard fast.isFinite, slow.isFinite, slow > 0 else { return .hold("EMAs still warming up", explain: explain) }
            let spread = (fast - slow) / slow
            guard spread != 0 else { return .hold("fast and slow EMA equal", explain: explain) }
            var confidence = Swift.min(1, Swift.abs(spread) / p["trend_saturation"])
            let against = sma.isFinite && (spread > 0) != (close > sma)
            if against { confidence *= 0.5 }
            return vote(spread > 0, confidence, {
                let note = against ? "; close \(spread > 0 ? "below" : "above") SMA\(Int(p["slow_period"])) halves it" : ""
                return "EMA\(Int(p["fast_period"])) \(spread > 0 ? "above" : "below") EMA\(Int(p["slow_period"])) by \(((spread * 10_000).rounded() / 100))%\(note)"
            }())
        case .momentum:
            let hist = x[0]
            guard hist.isFinite, close > 0 else { return .hold("MACD still warming up", explain: explain) }
            guard hist != 0 else { return .hold("MACD histogram flat", explain: explain) }
            // A histogram of 0.2 % of the price is full conviction.
            return vote(hist > 0, Swift.min(1, Swift.abs(hist) / (close * 0.002)), "MACD histogram \(hist > 0 ? "positive" : "negative") (\(hist.shown))")
        case .rsiReversion:
            let rsi = x[0], low = p["oversold"], high = p["overbought"]
            guard rsi.isFinite else { return .hold("RSI still warming up", explain: explain) }
            if rsi <= low { return vote(true, Swift.min(1, 0.5 + (low - rsi) / 20), "RSI \(rsi.shown) at or below \(low.shown): oversold") }
            if rsi >= high { return vote(false, Swift.min(1, 0.5 + (rsi - high) / 20), "RSI \(rsi.shown) at or above \(high.shown): overbought") }
            return .hold("RSI \(rsi.shown) between \(low.shown) and \(high.shown)", explain: explain)
        case .volatility:
            let upper = x[0], lower = x[1], atr = x[2]
            guard atr.isFinite, upper.isFinite, lower.isFinite, close > 0 else { return .hold("ATR and bands still warming up", explain: explain) }
            let share = atr / close
            if share > p["max_atr_pct"] {
                return .hold("ATR is \((share * 100).shown)% of price, above \((p["max_atr_pct"] * 100).shown)%: too volatile", confidence: 1, explain: explain)
            }
            if close < lower { return vote(true, 0.6, "close below the lower Bollinger band") }
            if close > upper { return vote(false, 0.6, "close above the upper Bollinger band") }
            return .hold("inside the Bollinger bands, ATR \((share * 100).shown)% of price", confidence: 0.5, explain: explain)
        case .llm, .news, .macro:
            return AgentVotes.decode(x[0], x[1]) ?? .hold("no vote on this bar", explain: explain)
        }
    }
}

extension Double {
    /// Four decimals at most, as reasoning and explanations print numbers.
    public var shown: String { String((self * 10_000).rounded() / 10_000) }
}

/// The votes of external agents for one bar, as a driver hands them in. In the program an
/// external agent has two input slots: its action (+1 buy, −1 sell, 0 hold; NaN: no vote, it
/// abstains) and its confidence. The reasoning stays with the caller (the bot's decision record).
public struct AgentVotes: Sendable, Hashable {
    public var opinions: [TradingAgent: AgentOpinion]

    public init(_ opinions: [TradingAgent: AgentOpinion] = [:]) { self.opinions = opinions }

    /// No external vote: every external agent abstains.
    public static let none = AgentVotes()

    /// The two slot values of `opinion` (NaN, NaN for none).
    static func encode(_ opinion: AgentOpinion?) -> (Double, Double) {
        guard let o = opinion, o.confidence.isFinite else { return (.nan, .nan) }
        let action: Double =
            switch o.action {
            case .buy: 1
            case .sell: -1
            case .hold: 0
            }
        return (action, Swift.min(1, Swift.max(0, o.confidence)))
    }

    /// The opinion two slot values hold; nil for none.
    static func decode(_ action: Double, _ confidence: Double) -> AgentOpinion? {
        guard action.isFinite, confidence.isFinite else { return nil }
        return AgentOpinion(action: action > 0 ? .buy : action < 0 ? .sell : .hold, confidence: confidence, reasoning: "")
    }
}
