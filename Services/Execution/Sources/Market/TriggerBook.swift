import Synchronization
import TradingCore

/// What waits for the market: working orders (their broker decides when they fill) and positions
/// with a stop loss or take profit. Each tick checks the watches of its symbol; a watch that fires
/// leaves the book (so it fires once) and the desk acts on it, putting it back if it must wait on.
final class TriggerBook: Sendable {
    enum Watch: Sendable, Hashable {
        /// A working order, with what its broker needs to decide it.
        case order(Order, rules: OrderRules)
        /// An open position with protective exits.
        case position(account: String, PositionState)

        var symbol: String {
            switch self {
            case .order(let o, _): o.symbol
            case .position(_, let p): p.symbol
            }
        }
    }

    /// Symbol → watch id (the order id, or `account|symbol` for a position) → watch.
    private let watches = Mutex<[String: [String: Watch]]>([:])
    let brokers: [String: any Broker]

    init(brokers: [String: any Broker]) { self.brokers = brokers }

    /// Watches `watch` (replacing an earlier watch of the same order or position).
    func add(_ watch: Watch) {
        watches.withLock { $0[watch.symbol, default: [:]][Self.id(of: watch)] = watch }
    }

    /// Stops watching an order, or a position that went flat or lost its exits.
    func remove(symbol: String, id: String) {
        watches.withLock { _ = $0[symbol]?.removeValue(forKey: id) }
    }

    /// Puts the position's watch in line with its state.
    func update(account: String, position p: PositionState) {
        if p.isFlat || (p.stopLoss.isZero && p.takeProfit.isZero) {
            remove(symbol: p.symbol, id: Self.positionId(account: account, symbol: p.symbol))
        } else {
            add(.position(account: account, p))
        }
    }

    var count: Int { watches.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// The watches of `symbol` that `price` fires, taken out of the book.
    func fire(_ symbol: String, at price: MarketView.Price) -> [Watch] {
        watches.withLock { book in
            guard let entries = book[symbol], !entries.isEmpty else { return [] }
            var fired: [Watch] = []
            for (id, watch) in entries where fires(watch, at: price) {
                fired.append(watch)
                book[symbol]?.removeValue(forKey: id)
            }
            return fired
        }
    }

    private func fires(_ watch: Watch, at price: MarketView.Price) -> Bool {
        switch watch {
        case .order(let order, let rules):
            guard let broker = brokers[order.broker], let decision = try? broker.decide(order, at: price, rules: rules) else { return false }
            return decision != .rest
        case .position(_, let p):
            guard let last = try? FixedDecimal(approximating: price.last) else { return false }
            return p.protectiveExit(at: last) != nil
        }
    }

    static func positionId(account: String, symbol: String) -> String { "\(account)|\(symbol)" }

    private static func id(of watch: Watch) -> String {
        switch watch {
        case .order(let o, _): o.id
        case .position(let account, let p): positionId(account: account, symbol: p.symbol)
        }
    }
}
