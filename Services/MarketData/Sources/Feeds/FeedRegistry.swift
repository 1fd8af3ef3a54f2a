import ServiceKit

/// The feed plugins this build knows, with the settings each reads (`feeds.<name>.<key>`).
/// Adding a feed is a new file and one `register` line here.
public struct FeedRegistry: Sendable {
    /// Factories by feed name.
    public private(set) var plugins = PluginRegistry<any MarketFeed, FeedContext>(kind: "feed")
    /// Feed name → the keys it reads under `feeds.<name>.`.
    public private(set) var settingKeys: [String: [String]] = [:]

    /// An empty registry (`standard()` has the built-in feeds).
    public init() {}

    /// Adds a feed; `settings` are the keys it reads (`symbols` is added for every feed). Throws on a taken name.
    public mutating func register(_ name: String, settings: [String], _ factory: @escaping @Sendable (FeedContext) throws -> any MarketFeed) throws {
        try plugins.register(name, factory)
        settingKeys[name] = settings + ["symbols"]
    }

    /// Every configuration key the registered feeds read.
    public var configurationKeys: Set<String> {
        Set(settingKeys.flatMap { name, keys in keys.map { "feeds.\(name).\($0)" } })
    }

    /// The built-in feeds: `simulated`, `replay` and the venue adapters.
    public static func standard() -> FeedRegistry {
        var r = FeedRegistry()
        try! r.register(SimulatedFeed.name, settings: ["seed", "time_scale", "start_ns", "step_ms", "batch_ms"]) { try SimulatedFeed(context: $0) }
        try! r.register(ReplayFeed.name, settings: ["file", "speed", "symbol", "timeframe", "batch"]) { try ReplayFeed(context: $0) }
        try! r.register(BinanceFeed.name, settings: BinanceFeed.settings) { try BinanceFeed(context: $0) }
        try! r.register(OandaFeed.name, settings: OandaFeed.settings) { try OandaFeed(context: $0) }
        try! r.register(YahooFeed.name, settings: YahooFeed.settings) { try YahooFeed(context: $0) }
        return r
    }
}
