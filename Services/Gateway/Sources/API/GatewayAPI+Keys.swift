import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Store

extension GatewayAPI {
    /// What an API key may do: `read` (a viewer's routes) and `trade` (a trader's); never more than
    /// its user, never an admin's routes.
    enum KeyScope: String, CaseIterable {
        case read, trade

        /// The role a set of scopes gives (`trade` includes reading).
        static func role(_ scopes: Set<KeyScope>) -> Role { scopes.contains(.trade) ? .trader : .viewer }

        /// The scopes a role's key holds.
        static func scopes(_ role: Role) -> [String] { role == .viewer ? ["read"] : role == .trader ? ["read", "trade"] : ["read", "trade", "admin"] }
    }

    struct KeyRequest: Decodable {
        var label: String?
        var scopes: [String]?
    }

    struct KeyView: Encodable {
        var id, label: String
        var scopes: [String]
        var revoked: Bool
        var createdAt: UnixMillis
        /// Only in the answer that creates it: `<id>.<secret>`, for `Authorization: ApiKey …`.
        var key: String?
    }

    /// Makes a key for `user` with at most `role` (never more than the user's), recorded in the
    /// audit trail as `actor`'s. Its secret is only ever in the answer.
    func issueKey(for user: UserRecord, label: String, role: Role, actor: String) async throws -> (id: String, secret: String, role: Role) {
        let role = min(role, user.role)
        let id = UUID().uuidString.lowercased(), secret = Secrets.random()
        try await UserTables.insertKey(
            id: id, user: user.id, label: String(label.prefix(100)), role: role, scopes: KeyScope.scopes(role), secretHash: Secrets.hash(secret),
            at: WallClock.nowNs, store)
        await audit.record(AuditEvent("apikey.created", actor: actor, target: user.id, detail: "key \(id), role \(role.rawValue)"))
        return (id, "\(id).\(secret)", role)
    }

    /// Refuses a caller that came with an API key: keys cannot make keys.
    func requireSession(_ p: Principal) throws {
        if p.viaKey { throw APIError(.forbidden, "auth.session_required", "sign in with a password for this; an API key cannot do it") }
    }

    var keyRoutes: [Route] {
        [
            Route(
                method: .post, path: "/api/keys", answers: .of(KeyView.self), role: .viewer,
                summary: "Make an API key for yourself with scopes read and/or trade (never more than your role); its secret is shown once",
                body: ["label": "string", "scopes": "array"], success: .created
            ) { request, _, p in
                try requireSession(p)
                let body = try await JSONBody.decode(KeyRequest.self, from: request)
                if let label = body.label {
                    try BodyFields.check(label, field: "label", pattern: BodyFields.text, maxLength: BodyFields.keyLabelLength, what: "text without NUL")
                }
                var scopes: Set<KeyScope> = []
                for name in body.scopes ?? ["read"] {
                    guard let scope = KeyScope(rawValue: name) else {
                        throw APIError(.badRequest, "request.invalid_field", "scope \"\(name.prefix(20))\" must be read or trade")
                    }
                    scopes.insert(scope)
                }
                guard !scopes.isEmpty else { throw APIError(.badRequest, "request.invalid_field", "scopes must name read, trade or both") }
                guard let user = try await UserTables.user(id: p.userId, store), !user.disabled else {
                    throw APIError(.unauthorized, "auth.unknown_user", "the token's user no longer exists")
                }
                let key = try await issueKey(for: user, label: body.label ?? "", role: KeyScope.role(scopes), actor: p.userId)
                let view = KeyView(id: key.id, label: String((body.label ?? "").prefix(100)), scopes: KeyScope.scopes(key.role), revoked: false, createdAt: UnixMillis(nanoseconds: WallClock.nowNs), key: key.secret)
                return try JSONBody.response(view, status: .created)
            },
            Route(method: .get, path: "/api/keys", answers: .list("keys", of: KeyView.self), role: .viewer, summary: "Your API keys (never their secrets)") { _, _, p in
                let keys = try await UserTables.keys(user: p.userId, store)
                return try JSONBody.response(["keys": keys.map { KeyView(id: $0.id, label: $0.label, scopes: $0.scopes, revoked: $0.revoked, createdAt: UnixMillis(nanoseconds: $0.createdAtNs)) }])
            },
            Route(method: .delete, path: "/api/keys/{id}", role: .viewer, summary: "Revoke one of your API keys", success: .noContent) { _, context, p in
                let id = try parameter("id", context)
                guard UUID(uuidString: id) != nil, try await UserTables.revokeKey(id: id, user: p.userId, store) else {
                    throw APIError(.notFound, "gateway.unknown_key", "you have no API key \(id.prefix(40))")
                }
                await audit.record(AuditEvent("apikey.revoked", actor: p.userId, target: id))
                return Response(status: .noContent)
            },
        ]
    }
}
