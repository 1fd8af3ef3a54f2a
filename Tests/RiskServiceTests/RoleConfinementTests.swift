import ExecutionService
import Logging
import ServiceKitTesting
import Store
import Testing

@testable import RiskService

/// Each service's database role reaches its own schema only: risk's role, with both services'
/// real migrations applied, cannot read execution's ledger.
@Test func riskRoleCannotReadExecution() async throws {
    let logger = Logger(label: "test")
    let admin = try Store(configuration: TestEnvironment.postgres, logger: logger)
    let execution = try SQLIdentifier(TestEnvironment.uniqueName("execution"))
    let risk = try SQLIdentifier(TestEnvironment.uniqueName("risk"))
    func connect(_ role: SQLIdentifier, _ migrations: String?) async throws -> Store {
        try await SchemaProvisioner.provision(admin: admin, schema: role, role: role, password: "pw-\(role.name)")
        var config = TestEnvironment.postgres
        config.user = role.name
        config.password = "pw-\(role.name)"
        config.schema = role.name
        let store = try Store(configuration: config, logger: logger)
        _ = try await Migrator.migrate(store, schema: role, migrations: try Migration.load(from: migrations!), logger: logger)
        return store
    }
    let executionStore = try await connect(execution, executionMigrationsDirectory)
    let riskStore = try await connect(risk, riskMigrationsDirectory)
    #expect(try await riskStore.query("SELECT engaged FROM kill_switch").count == 1)
    let error = await #expect(throws: StoreError.self) {
        try await riskStore.query("SELECT * FROM \(identifier: execution).accounts")
    }
    #expect(error?.code == .permissionDenied)
    await riskStore.shutdown()
    await executionStore.shutdown()
    try await admin.unsafeExecuteRaw("""
        DROP SCHEMA "\(execution.name)" CASCADE; DROP SCHEMA "\(risk.name)" CASCADE; DROP ROLE "\(execution.name)"; DROP ROLE "\(risk.name)";
        """)
    await admin.shutdown()
}
