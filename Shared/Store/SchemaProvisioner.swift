import Foundation

/// Creates a service's schema and its own login role that can use only that schema.
///
/// Run with an administrative connection (the cluster owner) at install or start-up. The role
/// owns its schema, has no rights in `public` or in any other service's schema, and resolves
/// unqualified names in its own schema.
public enum SchemaProvisioner {
    public static func provision(admin: Store, schema: SQLIdentifier, role: SQLIdentifier, password: String) async throws {
        try await admin.withTransaction { tx in
            // Serialize concurrent provisioning (CREATE ROLE has no IF NOT EXISTS).
            try await tx.query("SELECT pg_advisory_xact_lock(hashtext('tradewind.provision'))")
            let exists = try await tx.query("SELECT 1 FROM pg_roles WHERE rolname = \(role.name)").count > 0
            // Passwords cannot be bound parameters in DDL: quote them as a literal, doubling quotes.
            let literal = "'" + password.replacingOccurrences(of: "'", with: "''") + "'"
            guard !password.contains("\0") else { throw StoreError(code: .queryFailed, message: "the role password contains a NUL byte") }
            if exists {
                try await tx.unsafeExecuteRaw("ALTER ROLE \"\(role.name)\" LOGIN PASSWORD \(literal)")
            } else {
                try await tx.unsafeExecuteRaw("CREATE ROLE \"\(role.name)\" LOGIN PASSWORD \(literal)")
            }
            try await tx.unsafeExecuteRaw("""
                CREATE SCHEMA IF NOT EXISTS "\(schema.name)" AUTHORIZATION "\(role.name)";
                ALTER SCHEMA "\(schema.name)" OWNER TO "\(role.name)";
                REVOKE ALL ON SCHEMA public FROM PUBLIC;
                ALTER ROLE "\(role.name)" SET search_path TO "\(schema.name)";
                """)
        }
    }
}
