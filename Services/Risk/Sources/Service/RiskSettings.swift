import ServiceKit
import TradingCore

/// The risk service's own settings (beside the host's), read from the same sources and validated
/// at start-up.
public struct RiskSettings: Sendable {
    /// execution's RPC address (`peers.execution`): accounts, positions, trades; and where approved orders go.
    public var execution: PeerAddress?
    /// market-data's RPC address (`peers.market_data`): prices and instruments.
    public var marketData: PeerAddress?
    /// Limits for accounts with none stored (SetLimits with account `*` stores new defaults).
    public var defaults = Limits(
        maxPositionNotional: FixedDecimal(raw: 50_000 * FixedDecimal.unitsPerOne), maxOpenPositions: 5,
        dailyLossLimit: FixedDecimal(raw: 5_000 * FixedDecimal.unitsPerOne), maxDrawdown: 0.25,
        maxOrderNotional: FixedDecimal(raw: 25_000 * FixedDecimal.unitsPerOne), maxLeverage: 1)

    /// The defaults of the table in the README.
    public init() {}

    static let keys: Set<String> = [
        "peers.execution", "peers.market_data", "limits.max_position_notional", "limits.max_open_positions", "limits.daily_loss_limit",
        "limits.max_drawdown", "limits.max_order_notional", "limits.max_leverage",
    ]

    /// Reads the settings from `v`.
    public static func read(_ v: ConfigValues) throws(ConfigError) -> RiskSettings {
        var s = RiskSettings()
        s.execution = try v.peer("peers.execution")
        s.marketData = try v.peer("peers.market_data")
        func money(_ key: String, _ fallback: FixedDecimal) throws(ConfigError) -> FixedDecimal {
            FixedDecimal(raw: Int64(try v.int(key, default: Int(fallback.raw / FixedDecimal.unitsPerOne), range: 0...1_000_000_000)) * FixedDecimal.unitsPerOne)
        }
        s.defaults.maxPositionNotional = try money("limits.max_position_notional", s.defaults.maxPositionNotional)
        s.defaults.maxOpenPositions = try v.int("limits.max_open_positions", default: s.defaults.maxOpenPositions, range: 0...10_000)
        s.defaults.dailyLossLimit = try money("limits.daily_loss_limit", s.defaults.dailyLossLimit)
        s.defaults.maxDrawdown = try v.double("limits.max_drawdown", default: s.defaults.maxDrawdown, range: 0...1)
        s.defaults.maxOrderNotional = try money("limits.max_order_notional", s.defaults.maxOrderNotional)
        s.defaults.maxLeverage = try v.double("limits.max_leverage", default: s.defaults.maxLeverage, range: 0...100)
        return s
    }
}
