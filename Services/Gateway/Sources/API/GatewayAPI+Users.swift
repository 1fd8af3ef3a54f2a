import Contract
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit
import Store
import Wire

extension GatewayAPI {
    struct ResetRequest: Decodable {
        var resetToken: String
        var newPassword: String
    }

    struct InviteRequest: Decodable {
        var role: String?
    }

    struct TokenView: Encodable {
        /// Give it to the person it is for; it works once, until `expires_at`.
        var token: String
        var expiresAt: UnixMillis
    }

    /// Admins' user management: password resets, invites, deleting a user; and redeeming a reset.
    var userRoutes: [Route] {
        [
            Route(
                method: .post, path: "/api/users/{id}/password-reset", answers: .of(TokenView.self), role: .admin,
                summary: "Issue a single-use password reset token for a user (it expires after auth.reset_ttl_seconds)", success: .created
            ) { _, context, p in
                let id = try parameter("id", context)
                guard UUID(uuidString: id) != nil, let user = try await UserTables.user(id: id, store) else {
                    throw APIError(.notFound, "gateway.unknown_user", "no user \(id.prefix(40))")
                }
                let token = Secrets.random(), expires = WallClock.nowNs + Int64(settings.resetTTLSeconds) * 1_000_000_000
                try await UserTables.insertReset(hash: Secrets.hash(token), user: user.id, expiresAtNs: expires, by: p.userId, store)
                await audit.record(AuditEvent("user.password_reset_issued", actor: p.userId, target: user.id))
                return try JSONBody.response(TokenView(token: token, expiresAt: UnixMillis(nanoseconds: expires)), status: .created)
            },
            Route(
                method: .post, path: "/api/auth/reset", summary: "Set a new password with a reset token an admin issued (once); every session ends",
                body: ["reset_token": "string!", "new_password": "string!"], success: .noContent
            ) { request, _ in
                let body = try await JSONBody.decode(ResetRequest.self, from: request)
                try Self.checkPassword(body.newPassword)
                let hash = try await hashPassword(body.newPassword)
                let user: String? = try await store.withTransaction { tx in
                    guard let user = try await UserTables.redeemReset(hash: Secrets.hash(body.resetToken), now: WallClock.nowNs, tx) else { return nil }
                    try await UserTables.setPassword(user, hash: hash, tx)
                    try await UserTables.revokeRefresh(user: user, tx)
                    try await audit.record(AuditEvent("auth.password_reset", actor: user, target: user), in: tx)
                    return user
                }
                guard user != nil else { throw APIError(.unauthorized, "auth.invalid_reset_token", "the reset token is unknown, used or expired; ask an admin for a new one") }
                return Response(status: .noContent)
            },
            Route(
                method: .delete, path: "/api/users/{id}", role: .admin,
                summary: "Delete a user: their bots are stopped and deleted, their sessions, keys and settings removed (their account's history stays)",
                success: .noContent
            ) { _, context, p in
                let id = try parameter("id", context).lowercased()
                guard id != p.userId else { throw APIError(.conflict, "gateway.own_user", "an admin cannot delete themself") }
                guard UUID(uuidString: id) != nil, let user = try await UserTables.user(id: id, store) else {
                    throw APIError(.notFound, "gateway.unknown_user", "no user \(id.prefix(40))")
                }
                // Bots first: a user removed with bots still running would trade for nobody.
                if let orchestrator = peers.orchestrator {
                    let bots = try await orchestrator.listBots(PB.ListBotsRequest(ownerId: user.id, page: PB.PageRequest(limit: 1000)))
                    for bot in bots.bots { _ = try await orchestrator.deleteBot(PB.GetBotRequest(id: bot.id)) }
                }
                let deleted = try await store.withTransaction { tx in
                    guard try await UserTables.delete(user.id, tx) else { return false }
                    try await audit.record(AuditEvent("user.deleted", actor: p.userId, target: user.id, detail: user.email), in: tx)
                    return true
                }
                guard deleted else { throw APIError(.notFound, "gateway.unknown_user", "no user \(id.prefix(40))") }
                return Response(status: .noContent)
            },
            Route(
                method: .post, path: "/api/invites", answers: .of(TokenView.self), role: .admin,
                summary: "Invite someone (registration policy invite): a single-use token that registers one user with a role (trader by default)",
                body: ["role": "string"], success: .created
            ) { request, _, p in
                let body = try await JSONBody.decode(InviteRequest.self, from: request)
                guard let role = Role(rawValue: body.role ?? "trader") else {
                    throw APIError(.badRequest, "request.invalid_field", "role \"\(body.role!.prefix(20))\" must be viewer, trader or admin")
                }
                let token = Secrets.random(), expires = WallClock.nowNs + Int64(settings.inviteTTLSeconds) * 1_000_000_000
                try await UserTables.insertInvite(hash: Secrets.hash(token), role: role, expiresAtNs: expires, by: p.userId, store)
                await audit.record(AuditEvent("user.invited", actor: p.userId, outcome: role.rawValue))
                return try JSONBody.response(TokenView(token: token, expiresAt: UnixMillis(nanoseconds: expires)), status: .created)
            },
        ]
    }
}
