import ServiceKit

/// The execution service's own settings (beside the host's), read from the same sources and
/// validated at start-up.
public struct ExecutionSettings: Sendable {
    /// market-data's RPC address (`peers.market_data`): instruments and quotes. nil: orders answer `unavailable`.
    public var marketData: PeerAddress?
    /// Paper fills: slippage against the trader, in basis points of the price.
    public var paperSlippageBps = 2.0
    /// Paper fills: fee, in basis points of the notional.
    public var paperFeeBps = 10.0
    /// Whether a sell may take a position below zero (spot accounts cannot).
    public var allowShort = false
    /// Cash a new account starts with when the request names none.
    public var defaultInitialCash = 100_000
    /// How often the equity of accounts holding positions is sampled.
    public var equitySampleInterval: Duration = .seconds(60)

    /// The defaults of the table in the README.
    public init() {}

    static let keys: Set<String> = [
        "peers.market_data", "paper.slippage_bps", "paper.fee_bps", "accounts.allow_short", "accounts.initial_cash", "equity.sample_seconds",
    ]

    /// Reads the settings from `v`.
    public static func read(_ v: ConfigValues) throws(ConfigError) -> ExecutionSettings {
        var s = ExecutionSettings()
        s.marketData = try v.peer("peers.market_data")
        s.paperSlippageBps = try v.double("paper.slippage_bps", default: s.paperSlippageBps, range: 0...1000)
        s.paperFeeBps = try v.double("paper.fee_bps", default: s.paperFeeBps, range: 0...1000)
        s.allowShort = try v.bool("accounts.allow_short", default: s.allowShort)
        s.defaultInitialCash = try v.int("accounts.initial_cash", default: s.defaultInitialCash, range: 1...1_000_000_000)
        s.equitySampleInterval = .seconds(try v.int("equity.sample_seconds", default: 60, range: 1...86_400))
        return s
    }
}
