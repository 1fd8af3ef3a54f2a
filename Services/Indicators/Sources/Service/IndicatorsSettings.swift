import ServiceKit

/// The indicators service's own settings (beside the host's), read from the same sources and
/// validated at start-up.
public struct IndicatorsSettings: Sendable {
    /// market-data's RPC address (`peers.market_data`); nil: calls that need history answer `unavailable`.
    public var marketData: PeerAddress?
    /// Bars of history a new set starts from (its anchor is the oldest of them).
    public var warmupBars = 1000
    /// Ask market-data to backfill the warm-up window before a new set starts (feeds with history fill it).
    public var backfillOnCreate = true
    /// Most candles one ComputeSeries call reads.
    public var maxComputeBars = 100_000
    /// Days of snapshots kept; 0 keeps them forever.
    public var snapshotRetentionDays = 90
    /// How often snapshots are written.
    public var flushInterval: Duration = .milliseconds(250)

    /// The defaults of the table in the README.
    public init() {}

    static let keys: Set<String> = [
        "peers.market_data", "warmup.bars", "warmup.backfill", "compute.max_bars", "snapshots.retention_days", "snapshots.flush_ms",
    ]

    /// Reads the settings from `v`.
    public static func read(_ v: ConfigValues) throws(ConfigError) -> IndicatorsSettings {
        var s = IndicatorsSettings()
        s.marketData = try v.peer("peers.market_data")
        s.warmupBars = try v.int("warmup.bars", default: s.warmupBars, range: 0...1_000_000)
        s.backfillOnCreate = try v.bool("warmup.backfill", default: s.backfillOnCreate)
        s.maxComputeBars = try v.int("compute.max_bars", default: s.maxComputeBars, range: 1...1_000_000)
        s.snapshotRetentionDays = try v.int("snapshots.retention_days", default: s.snapshotRetentionDays, range: 0...100_000)
        s.flushInterval = .milliseconds(try v.int("snapshots.flush_ms", default: 250, range: 1...60_000))
        return s
    }
}
