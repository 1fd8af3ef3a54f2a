import Bus
import Contract
import Foundation
import HTTPTypes
import RPC
import ServiceKit
import Store
import Wire

/// The `Gateway` RPC service: users, roles, token introspection and API keys for operators and
/// services; a relay of bus events.
struct GatewayHandlers: GatewayService {
    let api: GatewayAPI
    let bus: Bus?
    var store: Store { api.store }

    func getUser(_ request: PB.GetUserRequest, context: ServerCallContext) async throws -> PB.User {
        guard UUID(uuidString: request.id) != nil, let user = try await UserTables.user(id: request.id, store) else {
            throw GatewayError(.unknownUser, "no user \(request.id.prefix(40))")
        }
        return Self.wire(user)
    }

    func listUsers(_ request: PB.ListUsersRequest, context: ServerCallContext) async throws -> PB.ListUsersResponse {
        let paging = try PageCursor.Paging(request.page, invalid: GatewayErrorCode.invalidArgument)
        let users = try await UserTables.users(after: paging.after, limit: paging.fetch, store)
        let (page, info) = paging.page(users) { ($0.createdAtNs, $0.id) }
        return PB.ListUsersResponse(users: page.map(Self.wire), page: info)
    }

    func setUserRole(_ request: PB.SetUserRoleRequest, context: ServerCallContext) async throws -> PB.User {
        guard let role = Role(wire: request.role) else { throw GatewayError(.invalidArgument, "role is missing: viewer, trader or admin") }
        guard UUID(uuidString: request.id) != nil, try await UserTables.setRole(request.id, role, store) else {
            throw GatewayError(.unknownUser, "no user \(request.id.prefix(40))")
        }
        await api.audit.record(AuditEvent("user.role_changed", actor: context.peerName, target: request.id, outcome: role.rawValue))
        return try await getUser(PB.GetUserRequest(id: request.id), context: context)
    }

    func createUser(_ request: PB.CreateUserRequest, context: ServerCallContext) async throws -> PB.User {
        guard let role = Role(wire: request.role) else { throw GatewayError(.invalidArgument, "role is missing: viewer, trader or admin") }
        let user: UserRecord
        do {
            user = try await api.createUser(email: request.email, password: request.password, role: role)
        } catch let error as APIError {
            // The REST checks' answers, as RPC codes.
            switch error.status {
            case .conflict: throw GatewayError(.emailTaken, error.message)
            case .serviceUnavailable: throw GatewayError(.peerUnavailable, error.message)
            default: throw GatewayError(.invalidArgument, error.message)
            }
        }
        await api.audit.record(AuditEvent("user.created", actor: context.peerName, target: user.id, detail: "\(user.email), role \(user.role.rawValue)"))
        return Self.wire(user)
    }

    func introspectToken(_ request: PB.IntrospectTokenRequest, context: ServerCallContext) async throws -> PB.IntrospectTokenResponse {
        guard let claims = try? api.signer.verify(request.token, now: Int64(Date().timeIntervalSince1970)),
            let user = try await UserTables.user(id: claims.sub, store), !user.disabled
        else { return PB.IntrospectTokenResponse(active: false) }
        return PB.IntrospectTokenResponse(active: true, user: Self.wire(user), expiresAtNs: claims.exp * 1_000_000_000)
    }

    func createApiKey(_ request: PB.CreateApiKeyRequest, context: ServerCallContext) async throws -> PB.CreateApiKeyResponse {
        guard UUID(uuidString: request.userId) != nil, let user = try await UserTables.user(id: request.userId, store) else {
            throw GatewayError(.unknownUser, "no user \(request.userId.prefix(40))")
        }
        let key = try await api.issueKey(for: user, label: request.label, role: Role(wire: request.role) ?? .viewer, actor: context.peerName)
        return PB.CreateApiKeyResponse(keyId: key.id, secret: key.secret)
    }

    func revokeApiKey(_ request: PB.RevokeApiKeyRequest, context: ServerCallContext) async throws -> PB.Empty {
        guard UUID(uuidString: request.keyId) != nil, try await UserTables.revokeKey(id: request.keyId, store) else {
            throw GatewayError(.unknownKey, "no API key \(request.keyId.prefix(40))")
        }
        await api.audit.record(AuditEvent("apikey.revoked", actor: context.peerName, target: request.keyId))
        return PB.Empty()
    }

    func streamEvents(_ request: PB.StreamEventsRequest, context: ServerCallContext, writer: StreamWriter<PB.SystemEvent>) async throws {
        guard let bus else { throw GatewayError(.invalidArgument, "this gateway runs without a bus") }
        guard !request.channels.isEmpty, request.channels.count <= 32 else { throw GatewayError(.invalidArgument, "give 1 to 32 channel patterns") }
        let subscription = try bus.subscribe(patterns: request.channels)
        for await delivery in subscription {
            guard case .message(let channel, let payload) = delivery else { continue }
            try await writer.write(PB.SystemEvent(channel: channel, payload: Array(payload), tsNs: WallClock.nowNs))
        }
    }

    static func wire(_ u: UserRecord) -> PB.User {
        PB.User(id: u.id, email: u.email, role: u.role.wire, createdAtNs: u.createdAtNs, disabled: u.disabled)
    }
}
