import Contract
import Foundation
import Logging
import ServiceKit

/// Builds the market-data service: the configured feeds, the candle engine, storage of closed
/// candles, latest quotes in Redis, and the `MarketData` RPC service.
public func buildMarketData(
    configuration: HostConfiguration, settings: MarketDataSettings = MarketDataSettings(),
    catalog: InstrumentCatalog = .standard(), registry: FeedRegistry = .standard()
) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = marketDataMigrationsDirectory
    }
    var parts: (MarketDataPipeline, [any MarketFeed], CandleRepository?, CandleWriter?)?
    func assemble(_ resources: HostResources) throws -> (MarketDataPipeline, [any MarketFeed], CandleRepository?, CandleWriter?) {
        if let parts { return parts }
        let repository = resources.store.map { CandleRepository(store: $0) }
        let writer = repository.map {
            CandleWriter(repository: $0, flushInterval: settings.flushInterval, logger: resources.logger)
        }
        let feeds = try settings.feeds.map { name in
            try registry.plugins.make(name, context: FeedContext(catalog: catalog, settings: settings.feedSettings[name] ?? [:], logger: resources.logger))
        }
        let pipeline = MarketDataPipeline(
            catalog: catalog, rules: settings.rules, bus: resources.bus, writer: writer, formingInterval: settings.formingPublishInterval,
            publishTicks: settings.publishTicks, logger: resources.logger)
        for f in feeds { pipeline.register(feed: f.name, instruments: f.instruments) }
        parts = (pipeline, feeds, repository, writer)
        return parts!
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        let (pipeline, feeds, repository, _) = try assemble(resources)
        MarketDataHandlers(pipeline: pipeline, feeds: feeds, repository: repository, settings: settings).registerMethods(with: &router)
    } services: { resources in
        let (pipeline, feeds, repository, writer) = try assemble(resources)
        // The writer is listed first so that it stops last and stores what the feeds closed.
        let runtime = MarketDataRuntime(pipeline: pipeline, feeds: feeds, settings: settings, repository: repository, logger: resources.logger)
        return (writer.map { [$0] } ?? []) + [runtime]
    }
}

/// Reads the host configuration and market-data's own settings from defaults, file, environment and flags.
public func readMarketDataConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment, registry: FeedRegistry = .standard()
) throws -> (HostConfiguration, MarketDataSettings) {
    let (host, values) = try HostConfiguration.read(
        service: "market-data", schema: "marketdata", arguments: arguments, environment: environment,
        extraKeys: MarketDataSettings.keys.union(registry.configurationKeys))
    return (host, try MarketDataSettings.read(values, registry: registry))
}

/// Where market-data's SQL migrations are (for tools that prepare a schema without the host).
public var marketDataMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
