import Contract
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import NIOPosix
import RPC
import ServiceKit
import Store
import Wire

extension GatewayAPI {
    struct Credentials: Decodable {
        var email: String
        var password: String
        /// An admin's invite (registration policy `invite`).
        var invite: String?
    }

    struct RefreshRequest: Decodable {
        var refreshToken: String
    }

    struct LogoutRequest: Decodable {
        /// The session to end; absent: every session of the user.
        var refreshToken: String?
    }

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    var authRoutes: [Route] {
        [
            Route(
                method: .post, path: "/api/auth/register", answers: .of(SessionView.self),
                summary: "Create a user with a paper account, as auth.registration allows (open; invite: with an invite; closed: never); returns tokens",
                body: ["email": "string!", "password": "string!", "invite": "string"], success: .created
            ) { request, _ in try await register(try await JSONBody.decode(Credentials.self, from: request)) },
            Route(
                method: .post, path: "/api/auth/login", answers: .of(SessionView.self), summary: "Exchange email and password for an access and a refresh token",
                body: ["email": "string!", "password": "string!"]
            ) { request, context in
                try await login(try await JSONBody.decode(Credentials.self, from: request), address: context.clientAddress)
            },
            Route(
                method: .post, path: "/api/auth/refresh", answers: .of(SessionView.self), summary: "Exchange a refresh token (once) for a new pair",
                body: ["refresh_token": "string!"]
            ) { request, _ in
                let body = try await JSONBody.decode(RefreshRequest.self, from: request)
                guard let userId = try await UserTables.redeemRefresh(hash: Secrets.hash(body.refreshToken), now: WallClock.nowNs, store),
                    let user = try await UserTables.user(id: userId, store), !user.disabled
                else { throw APIError(.unauthorized, "auth.invalid_refresh_token", "the refresh token is unknown, used or expired; log in again") }
                return try JSONBody.response(try await session(user))
            },
            Route(
                method: .post, path: "/api/auth/logout", role: .viewer,
                summary: "End a session (its refresh token), or every session of yours without one; access tokens run out within their lifetime",
                body: ["refresh_token": "string"], success: .noContent
            ) { request, _, p in
                let body = try await JSONBody.decode(LogoutRequest.self, from: request)
                if body.refreshToken?.isEmpty == true {
                    throw APIError(.badRequest, "request.invalid_field", "refresh_token is empty; send the session's refresh token, or leave it out to end every session")
                }
                try await UserTables.revokeRefresh(user: p.userId, hash: body.refreshToken.map(Secrets.hash), store)
                await audit.record(AuditEvent("auth.logout", actor: p.userId, detail: body.refreshToken == nil ? "every session" : "one session"))
                return Response(status: .noContent)
            },
            Route(
                method: .post, path: "/api/auth/password", answers: .of(SessionView.self), role: .viewer,
                summary: "Change your password (the current one required); every other session ends; answers a new session",
                body: ["current_password": "string!", "new_password": "string!"]
            ) { request, _, p in
                try requireSession(p)
                let body = try await JSONBody.decode(PasswordChange.self, from: request)
                guard let user = try await UserTables.user(id: p.userId, store), !user.disabled else {
                    throw APIError(.unauthorized, "auth.unknown_user", "the token's user no longer exists")
                }
                guard try await verifyPassword(body.currentPassword, hash: user.passwordHash) else {
                    throw APIError(.forbidden, "auth.invalid_credentials", "the current password is wrong")
                }
                try Self.checkPassword(body.newPassword)
                let hash = try await hashPassword(body.newPassword)
                try await store.withTransaction { tx in
                    try await UserTables.setPassword(user.id, hash: hash, tx)
                    try await UserTables.revokeRefresh(user: user.id, tx)
                    try await audit.record(AuditEvent("auth.password_changed", actor: user.id, target: user.id), in: tx)
                }
                return try JSONBody.response(try await session(user))
            },
            Route(method: .get, path: "/api/me", answers: .of(UserView.self), role: .viewer, summary: "The signed-in user") { _, _, principal in
                guard let user = try await UserTables.user(id: principal.userId, store) else {
                    throw APIError(.unauthorized, "auth.unknown_user", "the token's user no longer exists")
                }
                return try JSONBody.response(UserView(user))
            },
        ]
    }

    private func register(_ credentials: Credentials) async throws -> Response {
        switch settings.registration {
        case .closed:
            throw APIError(.forbidden, "auth.registration_closed", "registration is closed here; ask an admin for an account")
        case .invite where (credentials.invite ?? "").isEmpty:
            throw APIError(.forbidden, "auth.invite_required", "registration needs an invite here; ask an admin for one and send it as \"invite\"")
        case .open, .invite:
            break
        }
        let user = try await createUser(
            email: credentials.email, password: credentials.password, role: .trader,
            invite: settings.registration == .invite ? credentials.invite : nil, firstIsAdmin: settings.firstUserIsAdmin && settings.registration == .open)
        await audit.record(AuditEvent("user.registered", actor: user.id, target: user.email, detail: "role \(user.role.rawValue)"))
        return try JSONBody.response(try await session(user), status: .created)
    }

    /// Creates a user with `role` (an `invite`'s role instead when one is given, which it uses up;
    /// admin when `firstIsAdmin` and there is no user yet) and a paper account in execution.
    func createUser(email: String, password: String, role: Role, invite: String? = nil, firstIsAdmin: Bool = false) async throws -> UserRecord {
        // Checked as sent, with the rule the OpenAPI document states (BodyFields), then kept lower-case.
        guard email.unicodeScalars.count <= BodyFields.emailLength, email.range(of: BodyFields.email, options: .regularExpression) != nil else {
            throw APIError(.badRequest, "auth.invalid_email", "email \"\(email.prefix(60))\" is not an email address (name@domain.tld, no spaces)")
        }
        let email = email.lowercased()
        try Self.checkPassword(password)
        if try await UserTables.user(email: email, store) != nil {
            throw APIError(.conflict, "auth.email_taken", "\(email) is already registered; log in instead")
        }
        let execution = try peers.executionClient()
        let hash = try await hashPassword(password)
        let id = UUID().uuidString.lowercased()
        // The account first: a user without one could not trade; an account without a user (the
        // insert failing after it) is harmless and empty.
        let account = try await execution.createAccount(PB.CreateAccountRequest(ownerId: id, mode: .paper, initialCash: settings.initialCash.wire))
        let record = UserRecord(id: id, email: email, passwordHash: hash, role: role, accountId: account.id, disabled: false, createdAtNs: WallClock.nowNs)
        let user: UserRecord? = try await store.withTransaction { tx in
            var record = record
            if let invite {
                guard let role = try await UserTables.redeemInvite(hash: Secrets.hash(invite), user: record.id, now: WallClock.nowNs, tx) else {
                    throw APIError(.forbidden, "auth.invalid_invite", "the invite is unknown, used or expired; ask an admin for a new one")
                }
                record.role = role
            }
            return try await UserTables.insert(record, firstIsAdmin: firstIsAdmin, tx)
        }
        guard let user else { throw APIError(.conflict, "auth.email_taken", "\(email) is already registered; log in instead") }
        return user
    }

    private func login(_ credentials: Credentials, address: String) async throws -> Response {
        let email = credentials.email.trimmingCharacters(in: .whitespaces).lowercased()
        // Locked accounts and addresses are refused before any password is checked.
        do { try await logins.check(email: email, address: address) } catch {
            await audit.record(AuditEvent("auth.login", actor: String(email.prefix(254)), outcome: "locked", detail: "from \(address)"))
            throw error
        }
        let user = try await UserTables.user(email: email, store)
        // Verified even for unknown emails, so timing does not tell which emails exist.
        let ok = try await verifyPassword(credentials.password, hash: user?.passwordHash ?? Self.decoyHash)
        guard let user, ok, !user.disabled else {
            await logins.failed(email: email, address: address)
            let why = user == nil ? "unknown email" : ok ? "user disabled" : "wrong password"
            await audit.record(AuditEvent("auth.login", actor: String(email.prefix(254)), outcome: "refused", detail: "\(why), from \(address)"))
            throw APIError(.unauthorized, "auth.invalid_credentials", "email or password is wrong")
        }
        await logins.succeeded(email: email)
        await audit.record(AuditEvent("auth.login", actor: user.id, target: email, detail: "from \(address)"))
        return try JSONBody.response(try await session(user))
    }

    /// A new access token and a stored refresh token for `user`.
    func session(_ user: UserRecord) async throws -> SessionView {
        let now = Int64(Date().timeIntervalSince1970)
        let access = signer.sign(TokenSigner.Claims(sub: user.id, role: user.role, acct: user.accountId, iat: now, exp: now + Int64(settings.accessTTLSeconds)))
        let refresh = Secrets.random()
        try await UserTables.insertRefresh(
            hash: Secrets.hash(refresh), user: user.id, expiresAtNs: WallClock.nowNs + Int64(settings.refreshTTLSeconds) * 1_000_000_000, store)
        return SessionView(user: UserView(user), accessToken: access, refreshToken: refresh, expiresIn: settings.accessTTLSeconds)
    }

    /// A password a user may choose: 8 to 72 printable ASCII characters (`BodyFields.password`, the
    /// rule the OpenAPI document states; bcrypt reads 72 bytes, and ASCII keeps characters and bytes
    /// the same count).
    static func checkPassword(_ password: String) throws {
        guard password.range(of: BodyFields.password, options: .regularExpression) != nil else {
            throw APIError(.badRequest, "auth.weak_password", "the password needs 8 to 72 printable ASCII characters (letters, digits, spaces, punctuation)")
        }
    }

    // bcrypt takes tens of milliseconds by design: off the event loops.
    func hashPassword(_ password: String) async throws -> String {
        let cost = UInt8(settings.bcryptCost)
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    private func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A bcrypt hash of nothing anyone knows, verified against for unknown emails.
    private static let decoyHash = Bcrypt.hash(UUID().uuidString, cost: 10)
}
