import Indicators
import TradingCore

/// A strategy compiled for one parameter set: the indicators it reads, its signal program, where
/// each rule's condition lands, and its exits, sizing and execution assumptions resolved to numbers.
/// Built once by `StrategyCompiler`; the backtester and live bots both run it.
public struct StrategyPlan: Sendable {
    /// One indicator the program reads, fed from `source` (single-input indicators) or the bar.
    public struct IndicatorInput: Sendable {
        public let indicator: ConfiguredIndicator
        public let source: PriceSource
        /// The first of its `width` input slots.
        public let slot: Int
        /// `sma_10`, `macd_12_26_9_hist@hl2`: for column names and debugging.
        public var label: String { indicator.columnStem + (source == .close ? "" : "@" + source.rawValue) }
    }

    /// A resolved distance from the entry.
    public enum Distance: Sendable, Hashable {
        case percent(Double)
        /// `multiple` × the ATR in `slot`.
        case atr(multiple: Double, slot: Int)
        /// The price in `slot` on the entry bar.
        case price(slot: Int)
        /// A price distance from the average entry price.
        case points(Double)
        /// The price in `slot` at the last close, re-read every bar; only for positions on `side` when given.
        case level(slot: Int, side: StrategyDocument.PositionSide?)
    }

    /// Resolved sizing.
    public struct Sizing: Sendable, Hashable {
        public var model: StrategyDocument.Sizing.Model
        public var quantity = 0.0
        /// `fixed_cash`'s cash per entry.
        public var amount = 0.0
        /// Percent of equity (a share, or the risk budget).
        public var percent = 0.0
        public var atrMultiple = 2.0
        public var atrSlot = -1
        public var kellyFraction = 0.5
        public var kellyMinTrades = 20
        public var lot: FixedDecimal
    }

    public let document: StrategyDocument
    /// Every declared parameter's value in this plan.
    public let parameters: [String: Double]
    public let indicators: [IndicatorInput]
    /// Slots of the rules' conditions; nil where a rule is absent.
    public let entryLong: Int?
    public let exitLong: Int?
    public let entryShort: Int?
    public let exitShort: Int?
    public let stopLoss: Distance?
    public let takeProfit: Distance?
    public let trailingStop: Distance?
    public let maxBars: Int?
    /// How far beyond the entry the best price must go before the trailing stop starts (0: at once).
    public let trailingActivation: Double
    public let sizing: Sizing
    public let execution: StrategyDocument.ExecutionAssumptions
    /// `execution` as exact rates and amounts.
    public let fills: FillAssumptions
    public let pyramiding: Int
    /// Bars before every rule can first be known (the first `warmup` bars decide nothing).
    public let warmup: Int
    /// Whether a stop loss or take profit is a level re-read every bar (`{"level": …}`).
    public var hasMovingLevels: Bool {
        if case .level = stopLoss { return true }
        if case .level = takeProfit { return true }
        return false
    }
    /// How many instructions the signal program runs per bar.
    public var instructionCount: Int { program.instructions.count }
    /// Whether the rules read the account's equity (`{"position": "equity"}`, Pine's
    /// `strategy.equity`): a live driver must then give it every bar.
    public var readsEquity: Bool { program.instructions.contains { $0.op == .equity } }
    /// A fresh program (its history empty).
    let program: SignalProgram
    /// The consensus signals the program scores (their agents, weights and parameters).
    public var consensus: [ConsensusProgram] { program.consensus }
    /// Input slots: five prices, then every indicator's outputs.
    public var inputCount: Int { program.inputCount }
    /// Whether an external agent (the LLM, news, macro) votes in it, with a weight above 0 or as a veto.
    public var asksExternalAgents: Bool { !program.external.isEmpty }
    /// The external agents whose votes the driver hands in, in the catalogue's order.
    public var externalAgents: [TradingAgent] { TradingAgent.allCases.filter { agent in program.external.contains { $0.agent == agent } } }

    init(
        document: StrategyDocument, parameters: [String: Double], indicators: [IndicatorInput], program: SignalProgram,
        rules: (Int?, Int?, Int?, Int?), exits: (Distance?, Distance?, Distance?, Int?), trailingActivation: Double = 0, sizing: Sizing, warmup: Int
    ) {
        self.trailingActivation = trailingActivation
        self.document = document
        self.parameters = parameters
        self.indicators = indicators
        self.program = program
        (entryLong, exitLong, entryShort, exitShort) = rules
        (stopLoss, takeProfit, trailingStop, maxBars) = exits
        self.sizing = sizing
        execution = document.execution
        fills = FillAssumptions(document.execution)
        pyramiding = document.pyramiding
        self.warmup = warmup
    }
}
