import ArgumentParser
import Foundation
import Logging
import Store

/// Single-row durable inserts (one transaction each) and batched COPY inserts. Needs Postgres:
/// $TRADEWIND_PG_PORT etc. (scripts/infra.sh start) or flags.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "store", abstract: "Postgres insert rates.")

    @Option(help: "Postgres port (default $TRADEWIND_PG_PORT or 5432).") var pgPort: Int?
    @Option(help: "Postgres user.") var pgUser = ProcessInfo.processInfo.environment["TRADEWIND_PG_USER"] ?? "tradewind"
    @Option(help: "Single-row inserts.") var single = 5_000
    @Option(help: "Rows for the batched run.") var rows = 500_000
    @Option(help: "Rows per COPY batch.") var batch = 10_000

    func run() async throws {
        var config = BenchInfrastructure.postgres
        config.port = pgPort ?? config.port
        config.user = pgUser
        config.poolSize = 2
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try Store(configuration: config, logger: logger)
        let schema = try SQLIdentifier("bench_\(UInt32.random(in: 0...UInt32.max))")
        try await store.unsafeExecuteRaw("""
            CREATE SCHEMA \(schema.name);
            CREATE TABLE \(schema.name).candles (symbol text, open_time bigint, open double precision, high double precision,
                low double precision, close double precision, volume double precision);
            """)
        let table = try SQLIdentifier("candles")
        let t0 = nowNs()
        for i in 0..<single {
            try await store.execute("INSERT INTO \(identifier: schema).candles VALUES (\("BTC/USDT"), \(Int64(i)), \(1.0), \(2.0), \(0.5), \(1.5), \(10.0))")
        }
        let singleRate = Double(single) / (Double(nowNs() - t0) / 1e9)
        let columns = try ["symbol", "open_time", "open", "high", "low", "close", "volume"].map { try SQLIdentifier($0) }
        let t1 = nowNs()
        var inserted = 0
        while inserted < rows {
            let n = min(batch, rows - inserted)
            let chunk: [[(any SQLEncodable)?]] = (0..<n).map { j in ["ETH/USDT", Int64(inserted + j), 1.0, 2.0, 0.5, 1.5, 10.0] }
            inserted += try await store.copyRows(into: table, schema: schema, columns: columns, rows: chunk)
        }
        let batchedRate = Double(inserted) / (Double(nowNs() - t1) / 1e9)
        try await store.unsafeExecuteRaw("DROP SCHEMA \(schema.name) CASCADE")
        await store.shutdown()
        printFigures("store", [("insert_single_per_s", singleRate), ("insert_batched_rows_per_s", batchedRate)])
    }
}
