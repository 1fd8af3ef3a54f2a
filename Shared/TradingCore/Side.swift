/// The direction of an order or fill.
public enum Side: String, Sendable, Hashable, CaseIterable {
    case buy, sell

    /// +1 for buy, -1 for sell: the sign a fill's quantity takes in a position.
    public var sign: Int64 { self == .buy ? 1 : -1 }
    public var opposite: Side { self == .buy ? .sell : .buy }
}
