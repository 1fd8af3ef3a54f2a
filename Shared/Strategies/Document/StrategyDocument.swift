/// A strategy as data: the versioned JSON document ("strategy IR") that people, templates, the
/// chat assistant and Pine Script compile to. It is read once (`StrategyDocument(json:)`), checked
/// and compiled once per parameter set (`StrategyCompiler`), and never looked at per bar.
///
/// The language is described in `Shared/Strategies/README.md`.
public struct StrategyDocument: Sendable, Hashable {
    /// The language version this build reads.
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    public var description: String
    /// Declared parameters, in name order: what optimisation searches and the API may set.
    public var parameters: [ParameterDeclaration]
    /// Named expressions the rules refer to by name.
    public var signals: [String: Expression]
    public var rules: Rules
    public var exits: Exits
    public var sizing: Sizing
    public var execution: ExecutionAssumptions
    /// Most entries in one direction while a position is open (1: no adding to a position).
    public var pyramiding: Int
    /// The document as it was read, for storing and echoing back.
    public var json: JSONValue

    /// One declared parameter: `{"fast": {"int": [5, 50], "default": 10}}`.
    public struct ParameterDeclaration: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case int, float }
        public var name: String
        public var kind: Kind
        public var minimum: Double
        public var maximum: Double
        public var defaultValue: Double
        /// Grid step (1 for int when not given; a tenth of the range for float).
        public var step: Double
    }

    /// Entry and exit conditions; each list holds when every condition in it holds.
    public struct Rules: Sendable, Hashable {
        public var entryLong: [Expression] = []
        public var exitLong: [Expression] = []
        public var entryShort: [Expression] = []
        public var exitShort: [Expression] = []
    }

    /// A number written literally or as a declared parameter (`"$fast"`): resolved when compiled.
    public enum Quantity: Sendable, Hashable {
        case literal(Double)
        case parameter(String)
    }

    /// A distance from the entry: a stop loss, take profit or trailing stop.
    public enum Distance: Sendable, Hashable {
        /// Percent of the entry price.
        case percent(Quantity)
        /// A multiple of ATR(period) at the entry bar.
        case atr(multiple: Quantity, period: Quantity)
        /// An absolute price level, evaluated on the entry bar (stop loss and take profit only).
        case price(Expression)
        /// A distance in price units from the average entry price (Pine's `loss`/`profit` ticks × tick size).
        case points(Quantity)
        /// An absolute price level re-read at every bar's close while the position is open: the level
        /// as of the last close applies to the next bar (Pine's `strategy.exit` stop/limit). Stop loss
        /// and take profit only; not known (NaN) means no level on that bar. With `side`, it protects
        /// only positions on that side (Pine's `from_entry`).
        case level(Expression, side: PositionSide?)
    }

    /// A position's direction.
    public enum PositionSide: String, Sendable, Hashable, CaseIterable { case long, short }

    /// Protective exits placed with every entry.
    public struct Exits: Sendable, Hashable {
        public var stopLoss: Distance?
        public var takeProfit: Distance?
        public var trailingStop: Distance?
        /// Exit at the close of the bar the position has been open this many bars.
        public var maxBars: Quantity?
        /// The trailing stop starts only once the best price is this far (in price) beyond the
        /// entry (Pine's `trail_points`); nil: from the entry.
        public var trailingActivation: Quantity?
    }

    /// How much to buy or sell on an entry.
    public struct Sizing: Sendable, Hashable {
        public enum Model: String, Sendable, Hashable, CaseIterable {
            case allIn = "all_in"
            case fixedQuantity = "fixed_quantity"
            case percentEquity = "percent_equity"
            case riskPercent = "risk_percent"
            case atr
            case kelly
            /// A fixed amount of cash per entry (`amount`), Pine's `strategy.cash`.
            case fixedCash = "fixed_cash"
        }
        public var model: Model = .allIn
        /// `fixed_quantity`'s quantity.
        public var quantity: Quantity?
        /// `fixed_cash`'s amount of cash per entry.
        public var amount: Quantity?
        /// `percent_equity`'s share, or the percent of equity risked (`risk_percent`, `atr`, kelly's fallback).
        public var percent: Quantity?
        /// `atr`: stop distance in ATRs (2) and ATR period (14).
        public var multiple: Quantity?
        public var period: Quantity?
        /// `kelly`: the share of the Kelly fraction (0.5: half Kelly) and closed trades before it applies.
        public var fraction: Quantity?
        public var minTrades: Quantity?
        /// Quantity step; entries are rounded down to it. 1 for `all_in` (whole units), else 10⁻⁸.
        public var lot: Double?
    }

    /// Where fills happen and what they cost.
    public struct ExecutionAssumptions: Sendable, Hashable {
        public enum Fill: String, Sendable, Hashable, CaseIterable {
            /// At the close of the bar whose close made the signal.
            case close
            /// At the open of the next bar.
            case nextOpen = "next_open"
        }
        public var fill: Fill = .close
        /// Fee in basis points of notional, charged on every fill.
        public var feeBps: Double = 0
        /// Slippage against the trader, in basis points of price and in ticks of `tickSize`.
        public var slippageBps: Double = 0
        public var slippageTicks: Double = 0
        /// The price grid: fills are rounded to it against the trader, as execution's paper broker
        /// rounds to the instrument's tick. Nil: not rounded (slippage ticks are then 0.01).
        public var tickSize: Double?
        /// Which level a bar that reaches both the stop and the target is taken to reach first.
        public var intrabar: IntrabarPath = .stopFirst
    }

    /// The price path assumed inside a bar for stops and targets.
    public enum IntrabarPath: String, Sendable, Hashable, CaseIterable {
        /// The stop first: the worse outcome, conservatively.
        case stopFirst = "stop_first"
        /// TradingView's broker emulator: open, then whichever of high and low is nearer the open,
        /// then the other, then close.
        case nearestFirst = "nearest_first"
    }
}

/// One node of a signal expression, with where it was written.
public struct Expression: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case number(Double)
        case boolean(Bool)
        case parameter(String)
        case price(PriceSource)
        case signal(String)
        case indicator(IndicatorCall)
        case binary(BinaryOperator, Expression, Expression)
        case all([Expression])
        case any([Expression])
        case not(Expression)
        case function(Function, [Expression])
        case window(Window, Expression, bars: StrategyDocument.Quantity)
        case position(PositionField)
        case consensus(ConsensusCall)
        /// `{"if": c, "then": a, "else": b}`: `a` when `c` is definitely true, else `b` (not known
        /// counts as false, as Pine's `if` and ternary do).
        case choice(Expression, then: Expression, else: Expression)
        /// `{"previous": "name", "initial": x}`: the named signal's value on the previous bar, `x`
        /// (default not known) on the first: state carried from bar to bar (Pine's `var`).
        case previous(String, initial: Expression?)
        /// `"bar_index"`: the bar's number, 0 on the first bar.
        case barIndex
        /// `"time"` (the bar's open time, Unix milliseconds) or `{"time": "hour"}`: a field of it, in UTC.
        case time(TimeField)
    }

    public var kind: Kind
    /// A JSON pointer to the node in its document.
    public var pointer: String

    public init(_ kind: Kind, at pointer: String) {
        self.kind = kind
        self.pointer = pointer
    }
}

/// A price column or a derived price.
public enum PriceSource: String, Sendable, Hashable, CaseIterable {
    case open, high, low, close, volume, hl2, hlc3, ohlc4
}

/// `{"indicator": "macd", "fast": 12, "output": "hist", "source": "close"}` or with positional
/// `"params": [12, 26, 9]`.
public struct IndicatorCall: Sendable, Hashable {
    /// One parameter as written: by the catalogue's name (`period`, `fast`) or by position.
    public struct Argument: Sendable, Hashable {
        public var name: String?
        public var value: StrategyDocument.Quantity
        public var pointer: String
    }

    public var name: String
    public var arguments: [Argument]
    public var source: PriceSource?
    public var output: String?

    /// `ema_12`, `bbands_20_2_2.upper`: the name, its literal arguments and the output, for labels.
    public var label: String {
        let values = arguments.map { argument -> String in
            if case .literal(let v) = argument.value { return v == v.rounded() ? String(Int64(v)) : String(v) }
            return "x"
        }
        return ([name] + values).joined(separator: "_") + (output.map { "." + $0 } ?? "")
    }
}

/// `{"consensus": {"trend": 0.35, "momentum": "$w"}, "agent_params": {"fast_period": 12}}`: the
/// weighted vote of rule agents, a number in [−1, 1] (see `ConsensusProgram`).
public struct ConsensusCall: Sendable, Hashable {
    /// A name and a number as written, with where.
    public struct Setting: Sendable, Hashable {
        /// An agent's or an agent parameter's name.
        public var name: String
        public var value: StrategyDocument.Quantity
        /// Where it was written, for errors.
        public var pointer: String
    }

    /// Each agent's weight (0 leaves it out).
    public var weights: [Setting]
    /// Agent parameters over their defaults (`AgentParameters.catalog`).
    public var agentParameters: [Setting]
    /// Veto agents and the confidence at which each vetoes (`{"volatility": 0.8}`): a veto agent
    /// that holds or votes against a direction at least that sure blocks a new entry that way.
    public var vetoes: [Setting] = []
}

/// `{"left": a, "op": ">", "right": b}`.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
    case equal = "==", notEqual = "!="
    case crossesAbove = "crosses_above", crossesBelow = "crosses_below"

    /// Whether the result is a condition rather than a number.
    public var isCondition: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo: false
        default: true
        }
    }

    /// Whether both sides may be conditions as well as numbers (`==`, `!=`).
    public var comparesConditions: Bool { self == .equal || self == .notEqual }
}

/// `{"abs": x}`, `{"min": [a, b]}`, `{"max": [a, b]}`, `{"pow": [a, b]}`, `{"na": x}`, `{"sqrt": x}`…
public enum Function: String, Sendable, Hashable, CaseIterable {
    case abs, min, max
    /// `a` to the power `b` (two arguments).
    case pow
    /// Whether `x` is not known (a condition: Pine's `na(x)`).
    case na
    /// One-argument math: not known where undefined (`sqrt` of a negative, `log` of 0).
    case sqrt, log, exp, floor, ceil, round, sign

    /// How many arguments it takes: 1, 2, or `nil` for two or more.
    public var arity: Int? {
        switch self {
        case .min, .max: nil
        case .pow: 2
        default: 1
        }
    }
}

/// Operators over a series' recent bars: `{"highest": x, "bars": 20}`.
public enum Window: String, Sendable, Hashable, CaseIterable {
    /// The value `bars` bars ago.
    case ago
    /// Higher (lower) than the bar before on each of the last `bars` bars.
    case rising, falling
    /// Highest (lowest) of the last `bars` bars, this one included.
    case highest, lowest
    /// The sum of the last `bars` bars, this one included (not known while any is).
    case sum
}

/// The bar's open time and its calendar fields in UTC: `{"time": "dayofweek"}` (1 Sunday … 7 Saturday, as Pine).
public enum TimeField: String, Sendable, Hashable, CaseIterable {
    case time, year, month, dayofmonth, dayofweek, hour, minute
}

/// What the open position looks like on this bar: `{"position": "bars_in_trade"}`.
public enum PositionField: String, Sendable, Hashable, CaseIterable {
    case flat, long, short
    case barsInTrade = "bars_in_trade"
    case entryPrice = "entry_price"
    case unrealizedPnlPct = "unrealized_pnl_pct"
    /// Signed quantity: positive long, negative short, 0 flat (Pine's `strategy.position_size`).
    case quantity
    /// Cash plus the position marked at this close (Pine's `strategy.equity`).
    case equity
    /// Entries into the open position, 0 when flat (Pine's `strategy.opentrades`).
    case openEntries = "open_entries"

    public var isCondition: Bool { self == .flat || self == .long || self == .short }
}

extension StrategyDocument.Sizing {
    /// All in, whole units: where a caller building sizing starts.
    public static var allIn: Self { Self() }
}
