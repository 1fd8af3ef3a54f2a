import Indicators

/// A trailing stop's level: a distance behind the best price since the entry (the highest high of
/// a long, the lowest low of a short), never moving back. The backtester checks bars against it;
/// a live bot keeps execution's stop order at it.
public struct TrailingStop: Sendable, Hashable {
    let distance: StrategyPlan.Distance
    /// Whether it protects a long position (it sits below the price) or a short one (above).
    public let long: Bool
    /// The ATR its distance is a multiple of (the entry bar's), NaN for a percent distance.
    private(set) var atr: Double
    /// The best price since the entry.
    public private(set) var extreme: Double
    /// NaN until a distance can be measured (an ATR still warming up) and the stop has started.
    public private(set) var level = Double.nan
    /// The best price at which the stop starts (the entry when it starts at once).
    private let activatesAt: Double

    init(_ distance: StrategyPlan.Distance, long: Bool, entry price: Double, atr: Double, activation: Double = 0) {
        self.distance = distance
        self.long = long
        self.atr = atr
        extreme = price
        activatesAt = long ? price + activation : price - activation
        ratchet()
    }

    /// The position was held through `bar`: its range may set a new best price.
    public mutating func hold(through bar: PriceBar) {
        extreme = long ? Swift.max(extreme, bar.high) : Swift.min(extreme, bar.low)
        ratchet()
    }

    /// An entry added to the position: the distance is measured with that bar's ATR from now on.
    mutating func reprice(atr: Double) {
        self.atr = atr
        ratchet()
    }

    private mutating func ratchet() {
        guard long ? extreme >= activatesAt : extreme <= activatesAt else { return }
        let next: Double
        switch distance {
        case .percent(let pct): next = long ? extreme * (1 - pct / 100) : extreme * (1 + pct / 100)
        case .atr(let multiple, _): next = atr.isNaN ? .nan : (long ? extreme - multiple * atr : extreme + multiple * atr)
        case .points(let points): next = long ? extreme - points : extreme + points
        case .price, .level: next = .nan
        }
        guard !next.isNaN else { return }
        level = level.isNaN ? next : (long ? Swift.max(level, next) : Swift.min(level, next))
    }
}

extension LiveStrategy {
    /// The trailing stop of a position entered at `price` on the latest bar, nil when the strategy
    /// has none.
    public func trailingStop(entry price: Double, long: Bool) -> TrailingStop? {
        plan.trailingStop.map {
            TrailingStop($0, long: long, entry: price, atr: EntryContext(program, plan).trailATR, activation: plan.trailingActivation)
        }
    }
}
