import Logging
import ServiceKitTesting
import Store
import Testing

@Suite("Store against a real Postgres")
struct StoreTests {
    @Test("interpolated values are bound parameters, so quotes and injections are stored verbatim")
    func boundParameters() async throws {
        try await TestEnvironment.withPrivateSchema { store, _ in
            try await store.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text, score double precision, ok boolean)")
            let evil = "x'); DROP TABLE notes; --"
            try await store.execute("INSERT INTO notes VALUES (\(Int64(1)), \(evil), \(2.5), \(true))")
            let rows = try await store.query("SELECT id, body, score, ok FROM notes WHERE body = \(evil)")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(Int64.self, at: 0) == 1)
            #expect(try rows[0].decode(String.self, named: "body") == evil)
            #expect(try rows[0].decode(Double.self, at: 2) == 2.5)
            #expect(try rows[0].decode(Bool.self, at: 3))
        }
    }

    @Test("NULLs decode as nil, and decoding a NULL as a value is a clear error")
    func nulls() async throws {
        try await TestEnvironment.withPrivateSchema { store, _ in
            let rows = try await store.query("SELECT \(Optional<String>.none)::text AS missing")
            #expect(try rows[0].decodeIfPresent(String.self, at: 0) == nil)
            let error = #expect(throws: StoreError.self) { try rows[0].decode(String.self, at: 0) }
            #expect(error?.code == .decodingFailed)
        }
    }

    @Test("a transaction that throws leaves nothing behind; one that returns is committed")
    func transactions() async throws {
        try await TestEnvironment.withPrivateSchema { store, _ in
            try await store.execute("CREATE TABLE t (id int PRIMARY KEY)")
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await store.withTransaction { tx in
                    try await tx.execute("INSERT INTO t VALUES (\(1))")
                    throw Boom()
                }
            }
            _ = try await store.withTransaction { tx in try await tx.execute("INSERT INTO t VALUES (\(2))") }
            let ids = try await store.query("SELECT id FROM t ORDER BY id").map { try $0.decode(Int.self, at: 0) }
            #expect(ids == [2])
        }
    }

    @Test("a duplicate key is a uniqueViolation with SQLSTATE 23505")
    func uniqueViolation() async throws {
        try await TestEnvironment.withPrivateSchema { store, _ in
            try await store.execute("CREATE TABLE u (k text PRIMARY KEY)")
            try await store.execute("INSERT INTO u VALUES (\("a"))")
            let error = await #expect(throws: StoreError.self) { try await store.execute("INSERT INTO u VALUES (\("a"))") }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.sqlState == "23505")
        }
    }

    @Test("COPY inserts many rows at once, escaping tabs, newlines and backslashes")
    func copyRows() async throws {
        try await TestEnvironment.withPrivateSchema { store, schema in
            try await store.execute("CREATE TABLE c (i bigint, s text, d double precision)")
            let rows: [[(any SQLEncodable)?]] = (0..<10_000).map { i in [Int64(i), i == 7 ? "tab\tnl\nback\\" : "row\(i)", Double(i) / 4] }
            let n = try await store.copyRows(into: SQLIdentifier("c"), schema: schema, columns: [SQLIdentifier("i"), SQLIdentifier("s"), SQLIdentifier("d")], rows: rows)
            #expect(n == 10_000)
            let r = try await store.query("SELECT count(*), sum(i) FROM c")
            #expect(try r[0].decode(Int.self, at: 0) == 10_000)
            #expect(try r[0].decode(Int.self, at: 1) == 49_995_000)
            let seven = try await store.query("SELECT s FROM c WHERE i = \(Int64(7))")
            #expect(try seven[0].decode(String.self, at: 0) == "tab\tnl\nback\\")
        }
    }

    @Test("migrations apply once, in order, and are recorded; concurrent migrators do not collide")
    func migrations() async throws {
        try await TestEnvironment.withPrivateSchema(poolSize: 4) { store, schema in
            let migrations = [
                Migration(version: 2, name: "add_col", sql: "ALTER TABLE things ADD COLUMN note text;"),
                Migration(version: 1, name: "create", sql: "CREATE TABLE things (id int PRIMARY KEY);"),
            ]
            let logger = Logger(label: "test")
            async let a = Migrator.migrate(store, schema: schema, migrations: migrations, logger: logger)
            async let b = Migrator.migrate(store, schema: schema, migrations: migrations, logger: logger)
            let applied = try await [a, b].sorted { $0.count > $1.count }
            #expect(applied[0] == [1, 2])
            #expect(applied[1] == [])
            let versions = try await store.query("SELECT version FROM \(identifier: schema).schema_migrations ORDER BY version").map { try $0.decode(Int.self, at: 0) }
            #expect(versions == [1, 2])
            try await store.execute("INSERT INTO things (id, note) VALUES (\(1), \("ok"))")
        }
    }

    @Test("a failing migration rolls back entirely and names itself")
    func failingMigration() async throws {
        try await TestEnvironment.withPrivateSchema { store, schema in
            let migrations = [
                Migration(version: 1, name: "good", sql: "CREATE TABLE a (id int);"),
                Migration(version: 2, name: "bad", sql: "CREATE TABLE broken (;"),
            ]
            let error = await #expect(throws: StoreError.self) {
                try await Migrator.migrate(store, schema: schema, migrations: migrations, logger: Logger(label: "t"))
            }
            #expect(error?.code == .migrationFailed)
            #expect(error?.message.contains("2_bad") == true)
            let tables = try await store.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = \(schema.name) AND table_name = 'a'")
            #expect(try tables[0].decode(Int.self, at: 0) == 0)
        }
    }

    @Test("a provisioned role can use its own schema and is refused any other")
    func provisionedRoleIsConfined() async throws {
        let logger = Logger(label: "test")
        let admin = try Store(configuration: TestEnvironment.postgres, logger: logger)
        let mine = try SQLIdentifier(TestEnvironment.uniqueName("svc_a"))
        let theirs = try SQLIdentifier(TestEnvironment.uniqueName("svc_b"))
        try await SchemaProvisioner.provision(admin: admin, schema: mine, role: mine, password: "pw-a'quote")
        try await SchemaProvisioner.provision(admin: admin, schema: theirs, role: theirs, password: "pw-b")
        var config = TestEnvironment.postgres
        config.user = theirs.name
        config.password = "pw-b"
        let other = try Store(configuration: config, logger: logger)
        try await other.execute("CREATE TABLE secrets (v text)")
        config.user = mine.name
        config.password = "pw-a'quote"
        let store = try Store(configuration: config, logger: logger)
        try await store.execute("CREATE TABLE mine (v text)")
        try await store.execute("INSERT INTO mine VALUES (\("ok"))")
        let error = await #expect(throws: StoreError.self) {
            try await store.query("SELECT * FROM \(identifier: theirs).secrets")
        }
        #expect(error?.code == .permissionDenied)
        await store.shutdown()
        await other.shutdown()
        try await admin.unsafeExecuteRaw("DROP SCHEMA \"\(mine.name)\" CASCADE; DROP SCHEMA \"\(theirs.name)\" CASCADE; DROP ROLE \"\(mine.name)\"; DROP ROLE \"\(theirs.name)\";")
        await admin.shutdown()
    }
}
