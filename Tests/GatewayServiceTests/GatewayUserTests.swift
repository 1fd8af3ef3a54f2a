import Contract
import Foundation
import GatewayService
import RPC
import ServiceKitTesting
import Testing
import Wire

/// Users beyond signing in: API keys with scopes, admin-issued password resets, deleting a user,
/// and the registration policies with the operator's `CreateUser`.
@Suite("Gateway users", .serialized)
struct GatewayUserTests {
    @Test func apiKeysWithScopes() async throws {
        try await withGateway { api, _ in
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"k@example.com","password":"right password"}"#)
            let trader = try #require(r.body["access_token"] as? String)
            r = try await api.call("POST", "/api/keys", token: trader, json: #"{"label":"dashboard","scopes":["read"]}"#)
            #expect(r.status == 201 && r.body["scopes"] as? [String] == ["read"])
            let readKey = try #require(r.body["key"] as? String)
            r = try await api.call("POST", "/api/keys", token: trader, json: #"{"label":"bot runner","scopes":["read","trade"]}"#)
            let tradeKey = try #require(r.body["key"] as? String)
            let tradeKeyId = try #require(r.body["id"] as? String)
            #expect(try await api.call("POST", "/api/keys", token: trader, json: #"{"scopes":["admin"]}"#).status == 400)

            // read: a viewer's routes only; trade: a trader's too.
            #expect(try await api.send("GET", "/api/me", authorization: "ApiKey \(readKey)").status == 200)
            var reply = try await api.send("POST", "/api/bots", authorization: "ApiKey \(readKey)", json: #"{"symbol":"BTCUSDT"}"#)
            #expect(reply.status == 403 && errorCode(reply.body) == "gateway.forbidden")
            reply = try await api.send("POST", "/api/bots", authorization: "ApiKey \(tradeKey)", json: #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"}}"#)
            #expect(reply.status == 201)
            // A key cannot make keys or change the password.
            reply = try await api.send("POST", "/api/keys", authorization: "ApiKey \(tradeKey)", json: #"{"scopes":["read","trade"]}"#)
            #expect(reply.status == 403 && errorCode(reply.body) == "auth.session_required")
            // Listed without secrets; revoked, it stops working.
            r = try await api.call("GET", "/api/keys", token: trader)
            let keys = try #require(r.body["keys"] as? [[String: Any]])
            #expect(keys.count == 2 && keys.allSatisfy { $0["key"] == nil })
            #expect(try await api.call("DELETE", "/api/keys/\(tradeKeyId)", token: trader).status == 204)
            #expect(try await api.send("GET", "/api/me", authorization: "ApiKey \(tradeKey)").status == 401)
            #expect(try await api.send("GET", "/api/me", authorization: "ApiKey \(readKey)").status == 200)
        }
    }

    @Test func passwordResetsAndDeletedUsers() async throws {
        try await withGateway { api, _ in
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            let admin = try #require(r.body["access_token"] as? String)
            let adminId = try #require((r.body["user"] as? [String: Any])?["id"] as? String)
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"forgetful@example.com","password":"old password"}"#)
            let user = try #require((r.body["user"] as? [String: Any])?["id"] as? String)
            let userToken = try #require(r.body["access_token"] as? String)
            let refresh = try #require(r.body["refresh_token"] as? String)

            #expect(try await api.call("POST", "/api/users/\(user)/password-reset", token: userToken).status == 403)
            r = try await api.call("POST", "/api/users/\(user)/password-reset", token: admin)
            #expect(r.status == 201)
            let reset = try #require(r.body["token"] as? String)
            r = try await api.call("POST", "/api/auth/reset", json: #"{"reset_token":"\#(reset)","new_password":"short"}"#)
            #expect(r.status == 400 && errorCode(r.body) == "auth.weak_password")
            #expect(try await api.call("POST", "/api/auth/reset", json: #"{"reset_token":"\#(reset)","new_password":"brand new password"}"#).status == 204)
            // Once only; the old password and the old sessions are gone.
            r = try await api.call("POST", "/api/auth/reset", json: #"{"reset_token":"\#(reset)","new_password":"another new one"}"#)
            #expect(r.status == 401 && errorCode(r.body) == "auth.invalid_reset_token")
            #expect(try await api.call("POST", "/api/auth/login", json: #"{"email":"forgetful@example.com","password":"old password"}"#).status == 401)
            #expect(try await api.call("POST", "/api/auth/refresh", json: #"{"refresh_token":"\#(refresh)"}"#).status == 401)
            r = try await api.call("POST", "/api/auth/login", json: #"{"email":"forgetful@example.com","password":"brand new password"}"#)
            #expect(r.status == 200)
            let fresh = try #require(r.body["access_token"] as? String)

            // Deleting: the user's bots go, they can no longer sign in, an admin cannot delete themself.
            r = try await api.call("POST", "/api/bots", token: fresh, json: #"{"symbol":"BTCUSDT","strategy":{"name":"sma_cross"}}"#)
            let bot = try #require(r.body["id"] as? String)
            #expect(try await api.call("DELETE", "/api/users/\(adminId)", token: admin).status == 409)
            #expect(try await api.call("DELETE", "/api/users/\(user)", token: userToken).status == 403)
            #expect(try await api.call("DELETE", "/api/users/\(user)", token: admin).status == 204)
            #expect(try await api.call("GET", "/api/bots/\(bot)", token: admin).status == 404)
            #expect(try await api.call("POST", "/api/auth/login", json: #"{"email":"forgetful@example.com","password":"brand new password"}"#).status == 401)
            #expect(try await api.call("DELETE", "/api/users/\(user)", token: admin).status == 404)
            r = try await api.call("GET", "/api/audit", token: admin)
            let actions = (r.body["entries"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            for action in ["user.password_reset_issued", "auth.password_reset", "user.deleted"] { #expect(actions.contains(action), "\(action)") }
        }
    }

    @Test func inviteOnlyRegistrationAndTheOperatorsFirstAdmin() async throws {
        try await withGatewayOperator(adjust: { $0.registration = .invite }) { api, gateway in
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"first@example.com","password":"correct horse"}"#)
            #expect(r.status == 403 && errorCode(r.body) == "auth.invite_required")
            // The first admin comes from the operator, not from whoever registers first.
            let made = try await gateway.createUser(PB.CreateUserRequest(email: "Boss@Example.com", password: "correct horse", role: .admin))
            #expect(made.email == "boss@example.com" && made.role == .admin)
            let taken = await #expect(throws: RPCError.self) {
                _ = try await gateway.createUser(PB.CreateUserRequest(email: "boss@example.com", password: "correct horse", role: .admin))
            }
            #expect(taken?.domainCode == "gateway.email_taken")
            r = try await api.call("POST", "/api/auth/login", json: #"{"email":"boss@example.com","password":"correct horse"}"#)
            let admin = try #require(r.body["access_token"] as? String)
            r = try await api.call("POST", "/api/invites", token: admin, json: #"{"role":"viewer"}"#)
            let invite = try #require(r.body["token"] as? String)
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"guest@example.com","password":"right password","invite":"nonsense"}"#)
            #expect(r.status == 403 && errorCode(r.body) == "auth.invalid_invite")
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"guest@example.com","password":"right password","invite":"\#(invite)"}"#)
            #expect(r.status == 201 && (r.body["user"] as? [String: Any])?["role"] as? String == "viewer")
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"second@example.com","password":"right password","invite":"\#(invite)"}"#)
            #expect(r.status == 403 && errorCode(r.body) == "auth.invalid_invite")
        }
    }

    @Test func closedRegistrationAndNoAdminByRegisteringOffLoopback() async throws {
        try await withGatewayOperator(adjust: { $0.registration = .closed }) { api, _ in
            let r = try await api.call("POST", "/api/auth/register", json: #"{"email":"first@example.com","password":"correct horse"}"#)
            #expect(r.status == 403 && errorCode(r.body) == "auth.registration_closed")
        }
        var settings = GatewaySettings()
        #expect(settings.firstUserIsAdmin)
        settings.httpHost = "0.0.0.0"
        #expect(!settings.firstUserIsAdmin)
    }
}
