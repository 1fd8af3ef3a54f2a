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

    /// Inserts `user`, making it admin when it is the first and `firstIsAdmin`; nil when the email
    /// is taken. The table is locked for the insert so two first registrations cannot both become admin.
    static func insert(_ user: UserRecord, firstIsAdmin: Bool = false, _ tx: Transaction) async throws -> UserRecord? {
        try await tx.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
        guard try await tx.query("SELECT 1 FROM users WHERE email = \(user.email)").isEmpty else { return nil }
        var user = user
        if firstIsAdmin, try await tx.query("SELECT 1 FROM users LIMIT 1").isEmpty { user.role = .admin }
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

    /// Deletes `id` with its sessions, keys, settings and reset tokens (the paper account stays in
    /// execution, with its history). False when there is no such user.
    static func delete(_ id: String, _ tx: Transaction) async throws -> Bool {
        try await tx.execute("DELETE FROM users WHERE id = \(id)::uuid") == 1
    }

    // MARK: Password resets and invites

    static func insertReset(hash: String, user: String, expiresAtNs: Int64, by admin: String, _ db: some SQLQuerying) async throws {
        try await db.execute("INSERT INTO password_resets VALUES (\(hash), \(user)::uuid, \(expiresAtNs), false, \(admin)::uuid)")
    }

    /// Uses the reset token hashed `hash`, once; its user, or nil when unknown, used or expired.
    static func redeemReset(hash: String, now: Int64, _ db: some SQLQuerying) async throws -> String? {
        try await db.query("""
            UPDATE password_resets SET used = true WHERE token_hash = \(hash) AND NOT used AND expires_at_ns > \(now) RETURNING user_id::text
            """).first.map { try $0.decode(at: 0) }
    }

    static func insertInvite(hash: String, role: Role, expiresAtNs: Int64, by admin: String, _ db: some SQLQuerying) async throws {
        try await db.execute("INSERT INTO invites VALUES (\(hash), \(role.rawValue), \(expiresAtNs), NULL, \(admin)::uuid)")
    }

    /// Uses the invite hashed `hash` for `user`, once; the role it grants, or nil when unknown, used or expired.
    static func redeemInvite(hash: String, user: String, now: Int64, _ db: some SQLQuerying) async throws -> Role? {
        try await db.query("""
            UPDATE invites SET used_by = \(user)::uuid WHERE token_hash = \(hash) AND used_by IS NULL AND expires_at_ns > \(now) RETURNING role
            """).first.map { Role(rawValue: try $0.decode(at: 0)) ?? .viewer }
    }

    // MARK: API keys

    /// A key as its owner sees it (never its secret).
    struct KeyRecord: Sendable, Hashable {
        var id, label: String
        var role: Role
        var scopes: [String]
        var revoked: Bool
        var createdAtNs: Int64
    }

    static func insertKey(
        id: String, user: String, label: String, role: Role, scopes: [String], secretHash: String, at ts: Int64, _ db: some SQLQuerying
    ) async throws {
        try await db.execute("""
            INSERT INTO api_keys (id, user_id, label, role, secret_hash, revoked, created_at_ns, scopes)
            VALUES (\(id)::uuid, \(user)::uuid, \(label), \(role.rawValue), \(secretHash), false, \(ts), \(scopes.joined(separator: ",")))
            """)
    }

    /// `user`'s keys, newest first.
    static func keys(user: String, _ db: some SQLQuerying) async throws -> [KeyRecord] {
        try await db.query("""
            SELECT id::text, label, role, scopes, revoked, created_at_ns FROM api_keys WHERE user_id = \(user)::uuid
            ORDER BY created_at_ns DESC LIMIT 1000
            """).map { r in
            KeyRecord(
                id: try r.decode(at: 0), label: try r.decode(at: 1), role: Role(rawValue: try r.decode(at: 2)) ?? .viewer,
                scopes: (try r.decode(String.self, at: 3)).split(separator: ",").map(String.init), revoked: try r.decode(at: 4),
                createdAtNs: try r.decode(at: 5))
        }
    }

    /// Revokes `user`'s key `id`; false when `user` has no such key.
    static func revokeKey(id: String, user: String, _ db: some SQLQuerying) async throws -> Bool {
        try await db.execute("UPDATE api_keys SET revoked = true WHERE id = \(id)::uuid AND user_id = \(user)::uuid") == 1
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
