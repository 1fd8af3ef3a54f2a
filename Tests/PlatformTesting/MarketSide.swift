import Bus
import Contract
import Foundation
import NIOCore
import RPC
import ServiceKit
import ServiceKitTesting
import Store
import TradingCore
import Wire

// Test support reaching into market-data's internals (`@testable`), which only debug builds allow:
// `swift build -c release` (run.sh --release, the benches) compiles this target empty.
#if DEBUG
@testable import MarketDataService

/// market-data without feeds, for tests of the services that use it: the test is its live side,
/// storing candles in its history, setting quotes and publishing candles and ticks on the bus
/// exactly as its pipeline does.
public struct MarketSide: Sendable {
    public let host: ServiceHost
    public let client: MarketDataClient
    public let port: Int
    public var bus: Bus { host.resources.bus! }
    /// The bus prefix other services must share to hear this market.
    public var busPrefix: String { host.configuration.bus!.prefix }
    /// Where peers reach it (`peers.market_data`).
    public var address: PeerAddress { PeerAddress(host: "127.0.0.1", port: port, name: "market-data") }

    /// Stores `candles` in market-data's history and, when `publish`, sends them on their channel.
    public func deliver(_ candles: [PB.Candle], publish: Bool = true) async throws {
        let catalog = InstrumentCatalog.standard()
        let repository = CandleRepository(store: host.resources.store!)
        try await repository.upsert(candles.map { c in
            let tf = Timeframe(wire: c.timeframe)!
            return StoredCandle(symbol: c.symbol, candle: CandleState(
                instrument: try! catalog.require(c.symbol), timeframe: tf, openTime: c.openTimeNs, periodEnd: c.openTimeNs + tf.nanoseconds,
                open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, tradeCount: c.tradeCount))
        })
        guard publish else { return }
        for c in candles { _ = try bus.publish(BusChannel.candle(Timeframe(wire: c.timeframe)!.rawValue, c.symbol), c) }
    }

    /// Makes `last` (and the touch) `symbol`'s latest quote and publishes the tick, as a feed would.
    public func quote(_ symbol: String, last: Double, bid: Double = 0, ask: Double = 0) async throws {
        let ts = WallClock.nowNs
        let quote = Quote(
            symbol: symbol, tsNs: ts, last: last, bid: bid, ask: ask, change24h: 0, change24hPct: 0, volume24h: 0, high24h: last, low24h: last)
        try await bus.setFields(BusChannel.quoteKey(symbol), QuoteFields.encode(quote))
        _ = try bus.publish(BusChannel.tick(symbol), PB.Tick(symbol: symbol, tsNs: ts, price: last, size: 1, bid: bid, ask: ask))
    }
}

/// Runs market-data (real host, no feeds) for `body`.
public func withMarketSide<R: Sendable>(_ body: @Sendable (MarketSide) async throws -> R) async throws -> R {
    var settings = MarketDataSettings()
    settings.feeds = []
    settings.retentionDays = [:]  // callers store candles from 2024, older than the default retention
    return try await ServiceHarness.withHost(service: "market-data", build: { try buildMarketData(configuration: $0, settings: settings) }) { host, client in
        try await body(MarketSide(host: host, client: MarketDataClient(client), port: try await host.rpcAddress.port!))
    }
}

/// Runs a service beside `market` (sharing its bus prefix); `schema` names a schema kept across
/// restarts (the caller drops it).
public func withService<R: Sendable>(
    _ name: String, beside market: MarketSide?, schema: String? = nil, build: @escaping (HostConfiguration) throws -> ServiceHost,
    _ body: @Sendable (ServiceHost, RPCClient) async throws -> R
) async throws -> R {
    let prefix = market?.busPrefix
    return try await ServiceHarness.withHost(
        service: name, dropsSchema: schema == nil,
        configure: { c in
            if let schema {
                c.schema = schema
                c.postgres?.schema = schema
            }
            if let prefix { c.bus?.prefix = prefix }
        },
        build: build, body)
}
#endif

/// `text` as a wire decimal (test literals are always valid).
public func dec(_ text: String) -> PB.Decimal { try! FixedDecimal(parsing: text).wire }

/// A wire decimal as text, for comparing with literals.
public func text(_ d: PB.Decimal?) -> String { FixedDecimal(wire: d).description }
