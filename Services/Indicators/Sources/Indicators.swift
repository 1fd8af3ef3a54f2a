import Contract
import Foundation
import Logging
import RPC
import ServiceKit
import Wire

/// Builds the indicators service: indicator sets stored in its schema, streaming state per series fed
/// by market-data's closed candles from the bus, snapshots published, stored and streamed, and the
/// `Indicators` RPC service. History comes from market-data over RPC (`peers.market_data`).
public func buildIndicators(configuration: HostConfiguration, settings: IndicatorsSettings = IndicatorsSettings()) throws -> ServiceHost {
    var configuration = configuration
    if configuration.migrationsDirectory == nil {
        configuration.migrationsDirectory = indicatorsMigrationsDirectory
    }
    var parts: (IndicatorsRuntime, RPCClient?, BatchWriter<PB.IndicatorSnapshot>?)?
    func assemble(_ resources: HostResources) -> (IndicatorsRuntime, RPCClient?, BatchWriter<PB.IndicatorSnapshot>?) {
        if let parts { return parts }
        let client = settings.marketData.map { resources.configuration.peerClient($0, logger: resources.logger) }
        let snapshots = resources.store.map { SnapshotRepository(store: $0) }
        let writer = snapshots.map { repository in
            BatchWriter<PB.IndicatorSnapshot>(
                name: "indicators_snapshots_stored", settings: .init(flushInterval: settings.flushInterval), logger: resources.logger,
                coalesce: BatchWriter.keepingLast(by: SnapshotRepository.barKey), write: { try await repository.upsert($0) })
        }
        let runtime = IndicatorsRuntime(
            history: CandleHistory(client: client.map(MarketDataClient.init)), sets: resources.store.map { SetRepository(store: $0) },
            snapshots: snapshots, writer: writer, bus: resources.bus, settings: settings, logger: resources.logger)
        parts = (runtime, client, writer)
        return parts!
    }
    return try ServiceHost(configuration: configuration) { router, resources in
        let (runtime, _, _) = assemble(resources)
        IndicatorsHandlers(runtime: runtime, maxFrameBytes: resources.configuration.rpc.maxFrameBytes).registerMethods(with: &router)
    } services: { resources in
        let (runtime, client, writer) = assemble(resources)
        // Stopped in reverse: the runtime first, then the market-data client, then the writer stores what is left.
        return (writer.map { [$0] } ?? []) + (client.map { [$0] } ?? []) + [runtime]
    }
}

/// Reads the host configuration and the indicators settings from defaults, file, environment and flags.
public func readIndicatorsConfiguration(
    arguments: [String] = Array(CommandLine.arguments.dropFirst()),
    environment: [String: String] = ProcessInfo.processInfo.environment
) throws -> (HostConfiguration, IndicatorsSettings) {
    let (host, values) = try HostConfiguration.read(
        service: "indicators", arguments: arguments, environment: environment, extraKeys: IndicatorsSettings.keys)
    return (host, try IndicatorsSettings.read(values))
}

/// Where the indicators service's SQL migrations are (for tools that prepare a schema without the host).
public var indicatorsMigrationsDirectory: String? { Bundle.module.path(forResource: "Migrations", ofType: nil) }
