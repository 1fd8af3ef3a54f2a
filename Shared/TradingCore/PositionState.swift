/// One account's position in one symbol, and the exact bookkeeping of a fill against it.
///
/// The quantity is signed (positive long, negative short). A fill in the position's direction
/// averages its price in; a fill against it closes up to the open quantity, realizing
/// `(exit − entry) × closed × direction` minus the fees of that quantity (its share of the entry
/// fees plus its share of the exit fee), and any remainder opens the other way at the fill price.
/// Every step is FixedDecimal arithmetic (8 digits, banker's rounding): no binary floating point.
public struct PositionState: Sendable, Hashable {
    public var symbol: String
    public var quantity: FixedDecimal = .zero
    public var averagePrice: FixedDecimal = .zero
    /// Net of fees, over the position's life.
    public var realizedPnl: FixedDecimal = .zero
    /// Entry fees of the open quantity, not yet charged to a trade.
    public var openFees: FixedDecimal = .zero
    /// Protective exits; zero: none.
    public var stopLoss: FixedDecimal = .zero
    public var takeProfit: FixedDecimal = .zero
    /// The bot whose order opened the position (empty: manual).
    public var botId = ""
    public var openedAtNs: Int64 = 0
    public var updatedAtNs: Int64 = 0

    public init(symbol: String) { self.symbol = symbol }

    public var isFlat: Bool { quantity.isZero }

    /// What a fill closed, when it closed anything: one round trip.
    public struct Closing: Sendable, Hashable {
        /// The closed position's direction (buy: it was long).
        public var side: Side
        public var quantity: FixedDecimal
        public var entryPrice: FixedDecimal
        public var exitPrice: FixedDecimal
        /// Net of `fees`.
        public var realizedPnl: FixedDecimal
        public var fees: FixedDecimal
        public var openedAtNs: Int64
        public var botId: String

        /// A round trip as recorded (the ledger makes them in `apply`).
        public init(
            side: Side, quantity: FixedDecimal, entryPrice: FixedDecimal, exitPrice: FixedDecimal, realizedPnl: FixedDecimal,
            fees: FixedDecimal, openedAtNs: Int64, botId: String
        ) {
            self.side = side
            self.quantity = quantity
            self.entryPrice = entryPrice
            self.exitPrice = exitPrice
            self.realizedPnl = realizedPnl
            self.fees = fees
            self.openedAtNs = openedAtNs
            self.botId = botId
        }
    }

    /// Applies a fill of `quantity` (> 0) at `price` costing `fee`; returns the round trip it closed.
    public mutating func apply(
        side: Side, quantity: FixedDecimal, price: FixedDecimal, fee: FixedDecimal, at ts: Int64, botId: String
    ) throws(ArithmeticError) -> Closing? {
        updatedAtNs = ts
        let signed = side == .buy ? quantity : try -quantity
        if isFlat || quantity.isZero || (self.quantity.isNegative == signed.isNegative) {
            try open(signed, price: price, fee: fee, at: ts, botId: botId)
            return nil
        }
        let held = try self.quantity.magnitude
        let closed = min(quantity, held)
        let direction: FixedDecimal = self.quantity.isNegative ? FixedDecimal(raw: -FixedDecimal.unitsPerOne) : .one
        // Fees of the closed quantity: its share of the entry fees and of this fill's fee.
        let entryShare = closed == held ? openFees : try openFees.multiplied(by: try closed / held, rounding: .toNearestOrEven)
        let exitShare = closed == quantity ? fee : try fee.multiplied(by: try closed / quantity, rounding: .toNearestOrEven)
        let gross = try (try (price - averagePrice) * closed) * direction
        let fees = try entryShare + exitShare
        let closing = Closing(
            side: self.quantity.isNegative ? .sell : .buy, quantity: closed, entryPrice: averagePrice, exitPrice: price,
            realizedPnl: try gross - fees, fees: fees, openedAtNs: openedAtNs, botId: self.botId)
        realizedPnl = try realizedPnl + closing.realizedPnl
        openFees = try openFees - entryShare
        self.quantity = try self.quantity + (side == .buy ? closed : try -closed)
        if isFlat {
            averagePrice = .zero
            openFees = .zero
            stopLoss = .zero
            takeProfit = .zero
        }
        let rest = try quantity - closed
        if !rest.isZero {
            // The fill reversed the position: the remainder opens the other way.
            try open(side == .buy ? rest : try -rest, price: price, fee: try fee - exitShare, at: ts, botId: botId)
        }
        return closing
    }

    /// Adds `signed` at `price` to a flat position or one in the same direction.
    private mutating func open(_ signed: FixedDecimal, price: FixedDecimal, fee: FixedDecimal, at ts: Int64, botId: String) throws(ArithmeticError) {
        if isFlat {
            openedAtNs = ts
            self.botId = botId
            averagePrice = price
        } else {
            let held = try quantity.magnitude, added = try signed.magnitude
            averagePrice = try (try (try held * averagePrice) + (try added * price)) / (try held + added)
        }
        quantity = try quantity + signed
        openFees = try openFees + fee
    }

    /// `(mark − average) × quantity`: what closing all at `mark` would realize before fees.
    public func unrealizedPnl(at mark: FixedDecimal) throws(ArithmeticError) -> FixedDecimal {
        isFlat ? .zero : try (try mark - averagePrice) * quantity
    }

    /// Which protective exit `price` reaches, if any: a long stops at or below its stop loss and takes
    /// profit at or above its target; a short the other way round.
    public func protectiveExit(at price: FixedDecimal) -> ExitReason? {
        guard !isFlat else { return nil }
        let long = !quantity.isNegative
        if !stopLoss.isZero, long ? price <= stopLoss : price >= stopLoss { return .stopLoss }
        if !takeProfit.isZero, long ? price >= takeProfit : price <= takeProfit { return .takeProfit }
        return nil
    }
}

/// Why a position was (partly) closed, as trades record it.
public enum ExitReason: String, Sendable, Hashable {
    case signal, manual
    case stopLoss = "stop_loss"
    case takeProfit = "take_profit"
    case trailingStop = "trailing_stop"
    /// The strategy's limit on bars in a trade.
    case maxBars = "max_bars"
    /// A signal in the other direction closed the position before opening the new one.
    case reversal
}
