import Store

/// A user as stored.
struct UserRecord: Sendable, Hashable {
    var id: String
    var email: String
    var passwordHash: String
    var role: Role
    var accountId: String
    var disabled: Bool
    var createdAtNs: Int64
}

/// The `users`, `refresh_tokens`, `api_keys` and `user_config` tables.
enum UserTables {
    private static let columns: StaticString = "id::text, email, password_hash, role, account_id, disabled, created_at_ns"

    private static func user(_ r: Rows.Row) throws -> UserRecord {
        UserRecord(
            id: try r.decode(at: 0), email: try r.decode(at: 1), passwordHash: try r.decode(at: 2), role: Role(rawValue: try r.decode(at: 3)) ?? .viewer,
            accountId: try r.decode(at: 4), disabled: try r.decode(at: 5), createdAtNs: try r.decode(at: 6))
    }

    /// Inserts `user`, making it admin when it is the first; nil when the email is taken. The
    /// table is locked for the insert so two first registrations cannot both become admin.
    static func insert(_ user: UserRecord, _ tx: Transaction) async throws -> UserRecord? {
        try await tx.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
        guard try await tx.query("SELECT 1 FROM users WHERE email = \(user.email)").isEmpty else { return nil }
        var user = user
        if try await tx.query("SELECT 1 FROM users LIMIT 1").isEmpty { user.role = .admin }
        try await tx.execute("""
            INSERT INTO users VALUES (\(user.id)::uuid, \(user.email), \(user.passwordHash), \(user.role.rawValue), \(user.accountId), false, \(user.createdAtNs))
            """)
        return user
    }

    static func user(email: String, _ db: some SQLQuerying) async throws -> UserRecord? {
        try await db.query("SELECT \(unsafeRaw: columns) FROM users WHERE email = \(email)").first.map(user)
    }

    static func user(id: String, _ db: some SQLQuerying) async throws -> UserRecord? {
        try await db.query("SELECT \(unsafeRaw: columns) FROM users WHERE id = \(id)::uuid").first.map(user)
    }

    static func users(after: (time: Int64, id: String)?, limit: Int, _ db: some SQLQuerying) async throws -> [UserRecord] {
        let time = after?.time ?? Int64.max, id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff"
        return try await db.query("""
            SELECT \(unsafeRaw: columns) FROM users WHERE (created_at_ns, id) < (\(time), \(id)::uuid) ORDER BY created_at_ns DESC, id DESC LIMIT \(limit)
            """).map(user)
    }

    static func setRole(_ id: String, _ role: Role, _ db: some SQLQuerying) async throws -> Bool {
        try await db.execute("UPDATE users SET role = \(role.rawValue) WHERE id = \(id)::uuid") == 1
    }

    // MARK: Refresh tokens

    static func insertRefresh(hash: String, user: String, expiresAtNs: Int64, _ db: some SQLQuerying) async throws {
        try await db.execute("INSERT INTO refresh_tokens VALUES (\(hash), \(user)::uuid, \(expiresAtNs), false)")
    }

    /// Marks the token used and returns its user, once; nil when unknown, used or expired.
    static func redeemRefresh(hash: String, now: Int64, _ db: some SQLQuerying) async throws -> String? {
        let rows = try await db.query("""
            UPDATE refresh_tokens SET used = true WHERE token_hash = \(hash) AND NOT used AND expires_at_ns > \(now) RETURNING user_id::text
            """)
        return try rows.first.map { try $0.decode(at: 0) }
    }

    /// Ends sessions: every unused refresh token of `user`, or only the one hashed `hash` (when it
    /// is `user`'s). How many were ended.
    @discardableResult
    static func revokeRefresh(user: String, hash: String? = nil, _ db: some SQLQuerying) async throws -> Int {
        let rows = try await db.query(hash.map { h in
            "UPDATE refresh_tokens SET used = true WHERE user_id = \(user)::uuid AND token_hash = \(h) AND NOT used RETURNING token_hash"
        } ?? "UPDATE refresh_tokens SET used = true WHERE user_id = \(user)::uuid AND NOT used RETURNING token_hash")
        return rows.count
    }

    static func setPassword(_ id: String, hash: String, _ db: some SQLQuerying) async throws {
        try await db.execute("UPDATE users SET password_hash = \(hash) WHERE id = \(id)::uuid")
    }

    /// Disables or enables `id`; a disabled user's API keys are revoked with it. False when there is no such user.
    static func setDisabled(_ id: String, _ disabled: Bool, _ tx: Transaction) async throws -> Bool {
        let rows = try await tx.query("UPDATE users SET disabled = \(disabled) WHERE id = \(id)::uuid RETURNING id")
        guard !rows.isEmpty else { return false }
        if disabled {
            try await tx.execute("UPDATE api_keys SET revoked = true WHERE user_id = \(id)::uuid")
            try await revokeRefresh(user: id, tx)
        }
        return true
    }

    // MARK: API keys

    static func insertKey(id: String, user: String, label: String, role: Role, secretHash: String, at ts: Int64, _ db: some SQLQuerying) async throws {
        try await db.execute("INSERT INTO api_keys VALUES (\(id)::uuid, \(user)::uuid, \(label), \(role.rawValue), \(secretHash), false, \(ts))")
    }

    /// The key's user and role when `secretHash` matches a live key.
    static func key(id: String, secretHash: String, _ db: some SQLQuerying) async throws -> (user: String, role: Role)? {
        let rows = try await db.query("""
            SELECT user_id::text, role FROM api_keys WHERE id = \(id)::uuid AND secret_hash = \(secretHash) AND NOT revoked
            """)
        return try rows.first.map { (try $0.decode(at: 0), Role(rawValue: try $0.decode(at: 1)) ?? .viewer) }
    }

    static func revokeKey(id: String, _ db: some SQLQuerying) async throws -> Bool {
        try await db.execute("UPDATE api_keys SET revoked = true WHERE id = \(id)::uuid") == 1
    }

    // MARK: Settings

    static func config(user: String, _ db: some SQLQuerying) async throws -> String? {
        try await db.query("SELECT document FROM user_config WHERE user_id = \(user)::uuid").first.map { try $0.decode(at: 0) }
    }

    static func setConfig(user: String, document: String, at ts: Int64, _ db: some SQLQuerying) async throws {
        try await db.execute("""
            INSERT INTO user_config VALUES (\(user)::uuid, \(document), \(ts))
            ON CONFLICT (user_id) DO UPDATE SET document = EXCLUDED.document, updated_at_ns = EXCLUDED.updated_at_ns
            """)
    }
}
