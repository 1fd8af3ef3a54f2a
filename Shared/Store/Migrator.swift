import Foundation
import Logging

/// A numbered SQL migration: `0001_create_orders.sql` is version 1, name `create_orders`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads every `NNNN_name.sql` in `directory`, sorted; refuses duplicates and other names.
    public static func load(from directory: String) throws(StoreError) -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }.sorted()
        } catch {
            throw StoreError(code: .migrationFailed, message: "cannot list migrations in \(directory): \(error.localizedDescription)")
        }
        var seen: [Int: String] = [:]
        var out: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]), version > 0 else {
                throw StoreError(code: .migrationFailed, message: "\(directory)/\(file): migration files are named NNNN_description.sql")
            }
            if let other = seen[version] {
                throw StoreError(code: .migrationFailed, message: "\(file) and \(other) both have version \(version)")
            }
            seen[version] = file
            guard let sql = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else {
                throw StoreError(code: .migrationFailed, message: "\(directory)/\(file) is not readable UTF-8")
            }
            out.append(Migration(version: version, name: String(parts[1]), sql: sql))
        }
        return out
    }
}

/// Applies migrations to one schema: all at start-up, inside one transaction, under an advisory
/// lock (so two instances starting together apply each migration once), recorded in
/// `<schema>.schema_migrations`.
public enum Migrator {
    /// Applies those of `migrations` not yet recorded; returns the versions applied now.
    @discardableResult
    public static func migrate(_ store: Store, schema: SQLIdentifier, migrations: [Migration], logger: Logger) async throws -> [Int] {
        try await store.withTransaction { tx in
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\("tradewind.migrate." + schema.name)))")
            // A service role may not create schemas (Postgres checks that before IF NOT EXISTS), so
            // only ask when the schema is really missing.
            if try await tx.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema.name)").isEmpty {
                try await tx.unsafeExecuteRaw("CREATE SCHEMA \"\(schema.name)\"")
            }
            try await tx.unsafeExecuteRaw("""
                CREATE TABLE IF NOT EXISTS "\(schema.name)".schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            let rows = try await tx.query("SELECT version FROM \(identifier: schema).schema_migrations")
            var applied = Set<Int>()
            for row in rows { applied.insert(try row.decode(Int.self, at: 0)) }
            var now: [Int] = []
            for m in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(m.version) {
                do {
                    try await tx.unsafeExecuteRaw("SET LOCAL search_path TO \"\(schema.name)\";\n" + m.sql)
                } catch let e as StoreError {
                    throw StoreError(code: .migrationFailed, message: "migration \(m.version)_\(m.name) failed: \(e.message)", sqlState: e.sqlState)
                }
                try await tx.execute("INSERT INTO \(identifier: schema).schema_migrations (version, name) VALUES (\(m.version), \(m.name))")
                logger.info("applied migration", metadata: ["store.schema": "\(schema)", "migration": "\(m.version)_\(m.name)"])
                now.append(m.version)
            }
            return now
        }
    }
}
