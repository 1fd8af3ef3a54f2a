import Logging
import RPC
import ServiceKit
import Store
import Testing
import TradingCore

@testable import MarketDataService

@Suite("market-data settings")
struct SettingsTests {
    @Test("flags and environment reach the feeds and candle rules")
    func reads() throws {
        let (host, s) = try readMarketDataConfiguration(
            arguments: ["--profile=development", "--feeds=simulated,replay", "--feeds.replay.file=/tmp/x.csv", "--candles.timeframes=5m,1m", "--candles.grace_ms=1500"],
            environment: ["TRADEWIND_FEEDS_SIMULATED_SEED": "7"])
        #expect(host.schema == "marketdata" && host.postgres?.user == "marketdata")
        #expect(s.feeds == ["simulated", "replay"])
        #expect(s.feedSettings["replay"]?["file"] == "/tmp/x.csv" && s.feedSettings["simulated"]?["seed"] == "7")
        #expect(s.rules.timeframes == [.m1, .m5] && s.rules.graceNs == 1_500_000_000)
    }

    @Test("bad values stop start-up naming the key", arguments: [
        (["--feeds=kraken"], "feeds"), (["--candles.timeframes=2m"], "candles.timeframes"), (["--candles.grace_ms=-1"], "candles.grace_ms"),
        (["--feeds.simulated.colour=red"], "feeds.simulated.colour"), (["--feeds=simulated,simulated"], "feeds"),
    ])
    func refuses(arguments: [String], key: String) {
        do {
            _ = try readMarketDataConfiguration(arguments: arguments + ["--profile=development"], environment: [:])
            Issue.record("accepted \(arguments)")
        } catch let error as ConfigError {
            #expect(error.key == key)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a feed with a bad setting fails when built, with its code and the value")
    func feedSettings() {
        let context = { (settings: [String: String]) in FeedContext(catalog: .standard(), settings: settings, logger: Logger(label: "t")) }
        #expect(throws: MarketDataError.self) { try ReplayFeed(context: context([:])) }
        #expect(throws: MarketDataError.self) { try ReplayFeed(context: context(["file": "/nonexistent.csv"])) }
        #expect(throws: MarketDataError.self) { try SimulatedFeed(context: context(["time_scale": "fast"])) }
        #expect(throws: MarketDataError.self) { try SimulatedFeed(context: context(["symbols": "BTC/USDT,NOPE"])) }
    }
}
