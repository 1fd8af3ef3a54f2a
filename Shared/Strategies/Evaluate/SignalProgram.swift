import Foundation
import Indicators

/// `x`, or not known (NaN) where it overflowed.
@inline(__always)
private func finite(_ x: Double) -> Double { x.isFinite ? x : .nan }

/// A compiled strategy's signals as a flat program over one row of slots: the bar's prices and
/// indicator values (written by the driver), constants, then one slot per instruction, evaluated in
/// order once per bar. Conditions are 1 (true), 0 (false) or NaN (not known yet, e.g. warming up),
/// combined as in three-valued logic, so a rule fires only on a definite 1.
///
/// The same program runs in both drivers: the backtester writes each bar's inputs from
/// precomputed columns, a live bot from its streaming indicators.
public struct SignalProgram: Sendable {
    /// One operation; `a` and `b` are slot indices, `n` a bar count, `state` an index into the
    /// program's state storage (history rings and counters).
    struct Instruction: Sendable, Hashable {
        enum Op: UInt8, Sendable {
            case hl2, hlc3, ohlc4
            case add, subtract, multiply, divide, modulo, abs, min, max, pow
            case sqrt, log, exp, floor, ceil, round, sign, isNA
            case greater, greaterOrEqual, less, lessOrEqual, equal, notEqual
            case and, or, not
            case crossesAbove, crossesBelow
            case ago, rising, falling, highest, lowest, sum
            /// `v[a]` when the condition in slot `n` is 1, else `v[b]`.
            case choose
            /// Slot `a`'s value on the previous bar; slot `b` on the first bar.
            case previous
            case barIndex
            /// A calendar field (`n`: the `TimeField`'s index) of the time in slot `a` (Unix ms), UTC.
            case calendar
            case flat, long, short, barsInTrade, entryPrice, unrealizedPnlPct, positionSize, equity, openEntries
            /// The score of `consensus[n]`.
            case consensus
        }
        var op: Op
        var a: Int32 = 0
        var b: Int32 = 0
        var n: Int32 = 0
        var state: Int32 = 0
    }

    /// Slots the driver writes each bar: open, high, low, close, volume, the bar's open time (Unix
    /// ms), then indicator outputs (from `firstIndicatorSlot`).
    let inputCount: Int
    /// The slot of the bar's open time.
    static let timeSlot = 5
    /// Where indicator outputs start.
    static let firstIndicatorSlot = 6
    /// Constant slots, written once.
    let constants: [(slot: Int, value: Double)]
    let instructions: [Instruction]
    /// The consensus signals `.consensus` instructions score.
    public let consensus: [ConsensusProgram]
    /// External agents and the first of their two input slots (after the indicators'), which the
    /// driver writes every bar from the votes it is given.
    public let external: [(agent: TradingAgent, slot: Int)]
    /// Where the first instruction writes.
    let firstComputed: Int
    private(set) var values: [Double]
    private var previous: [Double]
    /// History rings (`ago`, `highest`, `lowest`, `sum`) and counters (`rising`, `falling`).
    private var state: [Double]
    private var bar = 0

    init(
        inputCount: Int, constants: [(slot: Int, value: Double)], instructions: [Instruction], stateSize: Int, consensus: [ConsensusProgram] = [],
        external: [(agent: TradingAgent, slot: Int)] = []
    ) {
        self.inputCount = inputCount
        self.consensus = consensus
        self.external = external
        self.constants = constants
        self.instructions = instructions
        firstComputed = inputCount + constants.count
        values = [Double](repeating: .nan, count: firstComputed + instructions.count)
        for c in constants { values[c.slot] = c.value }
        previous = values
        state = [Double](repeating: .nan, count: max(1, stateSize))
        for i in instructions where i.op == .rising || i.op == .falling { state[Int(i.state)] = 0 }
    }

    /// The current value of `slot`.
    @inline(__always)
    public func value(_ slot: Int) -> Double { values[slot] }

    /// Writes `bar`'s prices and open time (Unix nanoseconds) into the first six input slots (what
    /// every driver does first).
    @inline(__always)
    static func writeBar(_ bar: PriceBar, timeNs: Int64, into v: UnsafeMutableBufferPointer<Double>) {
        v[0] = bar.open
        v[1] = bar.high
        v[2] = bar.low
        v[3] = bar.close
        v[4] = bar.volume
        v[timeSlot] = Double(timeNs / 1_000_000)
    }

    /// Writes the external agents' votes for this bar (none: they abstain); every bar, since the
    /// two rows alternate.
    @inline(__always)
    static func writeVotes(_ votes: AgentVotes, _ external: [(agent: TradingAgent, slot: Int)], into v: UnsafeMutableBufferPointer<Double>) {
        for e in external {
            let (action, confidence) = AgentVotes.encode(votes.opinions[e.agent])
            v[e.slot] = action
            v[e.slot + 1] = confidence
        }
    }

    /// Writes the bar's inputs (prices first, then indicator outputs) and evaluates every instruction.
    @inline(__always)
    mutating func step(inputs write: (UnsafeMutableBufferPointer<Double>) -> Void, position: PositionView) {
        withStepper { $0.step(position: position, inputs: write) }
    }

    /// Lends `body` a `Stepper` over the program's storage, borrowed once for any number of bars:
    /// the batch driver steps a whole series without re-borrowing (or retaining) anything per bar.
    mutating func withStepper<R>(_ body: (inout Stepper) -> R) -> R {
        let first = firstComputed, startBar = bar, voters = consensus
        var result: R?
        var swaps = 0, endBar = startBar
        values.withUnsafeMutableBufferPointer { v in
            previous.withUnsafeMutableBufferPointer { p in
                state.withUnsafeMutableBufferPointer { s in
                    instructions.withUnsafeBufferPointer { code in
                        var stepper = Stepper(
                            values: v, previous: p, state: s, code: code, voters: voters, first: first, bar: startBar)
                        result = body(&stepper)
                        swaps = stepper.swaps
                        endBar = stepper.bar
                    }
                }
            }
        }
        bar = endBar
        // The stepper swaps its two rows each bar; the arrays swap back so `values` is the latest.
        if swaps % 2 == 1 { swap(&values, &previous) }
        return result!
    }

    /// The program's rows, state and code borrowed for a run of bars (see `withStepper`).
    struct Stepper {
        /// The current bar's row.
        private(set) var values: UnsafeMutableBufferPointer<Double>
        private var previous: UnsafeMutableBufferPointer<Double>
        let state: UnsafeMutableBufferPointer<Double>
        let code: UnsafeBufferPointer<Instruction>
        let voters: [ConsensusProgram]
        let first: Int
        fileprivate(set) var bar: Int
        fileprivate var swaps = 0

        init(
            values: UnsafeMutableBufferPointer<Double>, previous: UnsafeMutableBufferPointer<Double>, state: UnsafeMutableBufferPointer<Double>,
            code: UnsafeBufferPointer<Instruction>, voters: [ConsensusProgram], first: Int, bar: Int
        ) {
            self.values = values
            self.previous = previous
            self.state = state
            self.code = code
            self.voters = voters
            self.first = first
            self.bar = bar
        }

        /// The current value of `slot`.
        @inline(__always)
        func value(_ slot: Int) -> Double { values[slot] }

        /// One bar: this row becomes the previous one, `write` fills the inputs, every instruction runs.
        @inline(__always)
        mutating func step(position: PositionView, inputs write: (UnsafeMutableBufferPointer<Double>) -> Void) {
            swap(&values, &previous)
            swaps &+= 1
            write(values)
            let v = values
            for k in 0..<code.count {
                let i = code[k]
                // Rare and heavy: kept out of the small evaluate switch.
                v[first + k] = i.op == .consensus ? voters[Int(i.n)].score(v, position: position) : evaluate(i, position)
            }
            bar += 1
        }

        /// One instruction's value on this bar (its stateful kinds update their history).
        @_transparent
        func evaluate(_ i: Instruction, _ position: PositionView) -> Double {
            let v = values, p = previous, s = state, bar = self.bar
            let a = v[Int(i.a)], b = v[Int(i.b)]
            switch i.op {
            case .hl2: return (v[1] + v[2]) / 2
            case .hlc3: return (v[1] + v[2] + v[3]) / 3
            case .ohlc4: return (v[0] + v[1] + v[2] + v[3]) / 4
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return b == 0 ? .nan : a / b
            case .modulo: return b == 0 ? .nan : a.truncatingRemainder(dividingBy: b)
            case .pow: return finite(Foundation.pow(a, b))
            case .abs: return Swift.abs(a)
            case .sqrt: return a < 0 ? .nan : a.squareRoot()
            case .log: return a <= 0 ? .nan : Foundation.log(a)
            case .exp: return finite(Foundation.exp(a))
            case .floor: return a.rounded(.down)
            case .ceil: return a.rounded(.up)
            // Pine rounds ties up (toward +∞): math.round(-2.5) is -2.
            case .round: return (a + 0.5).rounded(.down)
            case .sign: return a.isNaN ? .nan : (a > 0 ? 1 : (a < 0 ? -1 : 0))
            case .isNA: return a.isNaN ? 1 : 0
            case .equal: return a.isNaN || b.isNaN ? .nan : (a == b ? 1 : 0)
            case .notEqual: return a.isNaN || b.isNaN ? .nan : (a != b ? 1 : 0)
            case .choose: return v[Int(i.n)] == 1 ? a : b
            case .previous: return bar == 0 ? b : p[Int(i.a)]
            case .barIndex: return Double(bar)
            case .calendar: return BarCalendar.field(Int(i.n), ofMillis: a)
            case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
            case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
            case .greater: return a.isNaN || b.isNaN ? .nan : (a > b ? 1 : 0)
            case .greaterOrEqual: return a.isNaN || b.isNaN ? .nan : (a >= b ? 1 : 0)
            case .less: return a.isNaN || b.isNaN ? .nan : (a < b ? 1 : 0)
            case .lessOrEqual: return a.isNaN || b.isNaN ? .nan : (a <= b ? 1 : 0)
            case .and: return a == 0 || b == 0 ? 0 : (a.isNaN || b.isNaN ? .nan : 1)
            case .or: return a == 1 || b == 1 ? 1 : (a.isNaN || b.isNaN ? .nan : 0)
            case .not: return a.isNaN ? .nan : 1 - a
            case .crossesAbove, .crossesBelow:
                let pa = p[Int(i.a)], pb = p[Int(i.b)]
                if a.isNaN || b.isNaN || pa.isNaN || pb.isNaN { return .nan }
                return i.op == .crossesAbove ? (pa <= pb && a > b ? 1 : 0) : (pa >= pb && a < b ? 1 : 0)
            case .ago:
                // A ring of n + 1 values: this bar's goes in, the one n bars back comes out.
                let n = Int(i.n), base = Int(i.state)
                let slot = base + bar % (n + 1)
                s[slot] = a
                return bar >= n ? s[base + (bar - n) % (n + 1)] : .nan
            case .highest, .lowest:
                let n = Int(i.n), base = Int(i.state)
                s[base + bar % n] = a
                guard bar >= n - 1 else { return .nan }
                var best = s[base]
                for k in 1..<n {
                    let x = s[base + k]
                    if x.isNaN || best.isNaN { best = .nan; break }
                    best = i.op == .highest ? Swift.max(best, x) : Swift.min(best, x)
                }
                return n == 1 ? a : best
            case .sum:
                let n = Int(i.n), base = Int(i.state)
                s[base + bar % n] = a
                guard bar >= n - 1 else { return .nan }
                var total = 0.0
                for k in 0..<n { total += s[base + k] }
                return total
            case .rising, .falling:
                // Consecutive bars that rose (fell) against the bar before; NaN until n comparisons were possible.
                let pa = p[Int(i.a)]
                let counter = Int(i.state)
                if a.isNaN || pa.isNaN {
                    s[counter] = 0
                    return .nan
                }
                let moved = i.op == .rising ? a > pa : a < pa
                s[counter] = moved ? s[counter] + 1 : 0
                s[counter + 1] = s[counter + 1].isNaN ? 1 : s[counter + 1] + 1
                return s[counter + 1] < Double(i.n) ? .nan : (s[counter] >= Double(i.n) ? 1 : 0)
            case .flat: return position.quantity == 0 ? 1 : 0
            case .long: return position.quantity > 0 ? 1 : 0
            case .short: return position.quantity < 0 ? 1 : 0
            case .barsInTrade: return position.quantity == 0 ? .nan : Double(position.barsInTrade)
            case .entryPrice: return position.quantity == 0 ? .nan : position.entryPrice
            case .positionSize: return position.quantity
            case .equity: return position.equity
            case .openEntries: return Double(position.entries)
            case .consensus: return .nan
            case .unrealizedPnlPct:
                guard position.quantity != 0, position.entryPrice > 0 else { return .nan }
                let change = (v[3] - position.entryPrice) / position.entryPrice * 100
                return position.quantity > 0 ? change : -change
            }
        }
    }
}

/// What a strategy's position-state signals read: the position as of this bar's close, before
/// this bar's orders.
public struct PositionView: Sendable, Hashable {
    /// Signed: positive long, negative short, 0 flat.
    public var quantity: Double
    /// Bars since the entry (0 on the entry bar).
    public var barsInTrade: Int
    /// The position's average price.
    public var entryPrice: Double
    /// Cash plus the position marked at this bar's close (NaN where the driver does not know it).
    public var equity: Double
    /// Entries into the open position (pyramiding), 0 when flat.
    public var entries: Int

    public init(quantity: Double = 0, barsInTrade: Int = 0, entryPrice: Double = 0, equity: Double = .nan, entries: Int = 0) {
        self.quantity = quantity
        self.barsInTrade = barsInTrade
        self.entryPrice = entryPrice
        self.equity = equity
        self.entries = entries
    }

    public static let flat = PositionView()
}
