import Contract
import Foundation
import HTTPTypes
import Hummingbird
import RPC
import ServiceKit
import Store
import Wire

extension GatewayAPI {
    struct KillSwitchRequest: Decodable {
        var engaged: Bool
        var reason: String?
    }

    struct RoleRequest: Decodable {
        var role: String
    }

    var adminRoutes: [Route] {
        [
            Route(method: .get, path: "/api/config", answers: .anyObject, role: .viewer, summary: "Your settings (a JSON object the frontend keeps)") { _, _, p in
                let document = try await UserTables.config(user: p.userId, store) ?? "{}"
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
            },
            Route(method: .put, path: "/api/config", answers: .anyObject, role: .viewer, summary: "Replace your settings (a JSON object, at most 16 KiB)", body: ["*": "object"]) {
                request, _, p in
                var request = request
                let buffer = try await request.collectBody(upTo: 16 * 1024 + 1)
                guard buffer.readableBytes <= 16 * 1024 else { throw APIError(.contentTooLarge, "request.too_large", "settings are at most 16 KiB") }
                guard (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) is [String: Any] else {
                    throw APIError(.badRequest, "request.invalid_json", "settings must be a JSON object")
                }
                let document = String(buffer: buffer)
                try await UserTables.setConfig(user: p.userId, document: document, at: WallClock.nowNs, store)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
            },
            Route(method: .get, path: "/api/risk/kill-switch", answers: .of(KillSwitchView.self), role: .viewer, summary: "Whether the kill switch is engaged") { _, _, _ in
                try JSONBody.response(KillSwitchView(try await peers.riskClient().getKillSwitch(PB.Empty())))
            },
            Route(
                method: .post, path: "/api/risk/kill-switch", answers: .of(KillSwitchView.self), role: .admin, summary: "Engage or release the kill switch: no new orders while engaged",
                body: ["engaged": "boolean!", "reason": "string"]
            ) { request, _, p in
                let body = try await JSONBody.decode(KillSwitchRequest.self, from: request)
                let state = try await peers.riskClient().setKillSwitch(PB.SetKillSwitchRequest(engaged: body.engaged, reason: body.reason ?? "", changedBy: p.userId))
                return try JSONBody.response(KillSwitchView(state))
            },
            Route(method: .get, path: "/api/users", answers: .list("users", of: UserView.self), role: .admin, summary: "Every user") { _, _, _ in
                try JSONBody.response(["users": try await UserTables.users(after: nil, limit: 1000, store).map(UserView.init)])
            },
            Route(method: .put, path: "/api/users/{id}/role", answers: .of(UserView.self), role: .admin, summary: "Set a user's role (viewer, trader, admin)", body: ["role": "string!"]) {
                request, context, p in
                let body = try await JSONBody.decode(RoleRequest.self, from: request)
                guard let role = Role(rawValue: body.role) else {
                    throw APIError(.badRequest, "request.invalid_field", "role \"\(body.role.prefix(20))\" must be viewer, trader or admin")
                }
                let id = try parameter("id", context)
                guard UUID(uuidString: id) != nil, try await UserTables.setRole(id, role, store), let user = try await UserTables.user(id: id, store) else {
                    throw APIError(.notFound, "gateway.unknown_user", "no user \(id.prefix(40))")
                }
                await audit.record(AuditEvent("user.role_changed", actor: p.userId, target: user.id, outcome: role.rawValue))
                return try JSONBody.response(UserView(user))
            },
            Route(
                method: .get, path: "/api/audit", answers: .of(AuditPageView.self), role: .admin,
                summary: "A service's audit trail, newest first (service: gateway by default, orchestrator, risk, execution, market-data)",
                query: ["service", "before", "limit"]
            ) { request, _, _ in
                let service = query("service", request) ?? "gateway"
                let before = Int64(try QueryParameters.integer("before", request, path: "/api/audit") ?? 0)
                let limit = UInt32(try QueryParameters.integer("limit", request, path: "/api/audit") ?? 100)
                let q = PB.AuditQuery(beforeSeq: before, limit: limit)
                let page = service == "gateway" ? try await audit.page(q) : try await peers.diagnostics(service).listAudit(q)
                return try JSONBody.response(AuditPageView(service: service, page))
            },
            Route(
                method: .put, path: "/api/users/{id}/disabled", answers: .of(UserView.self), role: .admin,
                summary: "Disable (or enable) a user: a disabled user cannot log in or refresh, and their API keys are revoked",
                body: ["disabled": "boolean!"]
            ) { request, context, p in
                let body = try await JSONBody.decode(DisabledRequest.self, from: request)
                let id = try parameter("id", context)
                guard id.lowercased() != p.userId else { throw APIError(.conflict, "gateway.own_user", "an admin cannot disable themself") }
                guard UUID(uuidString: id) != nil, try await store.withTransaction({ tx in try await UserTables.setDisabled(id, body.disabled, tx) }),
                    let user = try await UserTables.user(id: id, store)
                else { throw APIError(.notFound, "gateway.unknown_user", "no user \(id.prefix(40))") }
                await audit.record(AuditEvent(body.disabled ? "user.disabled" : "user.enabled", actor: p.userId, target: user.id))
                return try JSONBody.response(UserView(user))
            },
        ]
    }

    struct DisabledRequest: Decodable {
        var disabled: Bool
    }
}

struct KillSwitchView: Encodable {
    var engaged: Bool
    var reason, changedBy: String
    /// When it was last engaged or released; absent if it never was.
    var changedAt: UnixMillis?
    init(_ k: PB.KillSwitchState) {
        (engaged, reason, changedBy) = (k.engaged, k.reason, k.changedBy)
        changedAt = k.changedAtNs == 0 ? nil : UnixMillis(nanoseconds: k.changedAtNs)
    }
}
