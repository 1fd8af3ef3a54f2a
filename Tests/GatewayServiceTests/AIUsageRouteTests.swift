import Foundation
import ServiceKitTesting
import Testing

/// `GET /api/ai/usage`: a user's own usage and the limits; every user's for admins only; bad
/// query values refused with what to send.
@Suite struct AIUsageRouteTests {
    @Test func ownUsageForEveryoneAndAllUsersForAdmins() async throws {
        try await withGateway { api, _ in
            var r = try await api.call("POST", "/api/auth/register", json: #"{"email":"root@example.com","password":"correct horse"}"#)
            let admin = try #require(r.body["access_token"] as? String)
            r = try await api.call("POST", "/api/auth/register", json: #"{"email":"t@example.com","password":"right password"}"#)
            let user = try #require(r.body["access_token"] as? String)
            r = try await api.call("GET", "/api/ai/usage", token: user)
            #expect(r.status == 200)
            #expect(r.body["provider"] as? String == "" && r.body["spent_today"] as? String == "0")
            let limits = try #require(r.body["limits"] as? [String: Any])
            #expect(limits["user_daily"] as? String == "5" && limits["call_tokens"] as? Int == 1024)
            #expect((r.body["days"] as? [Any])?.isEmpty == true)
            r = try await api.call("GET", "/api/ai/usage?all=true", token: user)
            #expect(r.status == 403 && errorCode(r.body) == "gateway.forbidden")
            #expect(try await api.call("GET", "/api/ai/usage?all=true&days=30", token: admin).status == 200)
            #expect(try await api.call("GET", "/api/ai/usage?days=0", token: user).status == 400)
            r = try await api.call("GET", "/api/ai/usage?all=maybe", token: admin)
            #expect(r.status == 400 && errorCode(r.body) == "request.invalid_field")
        }
    }
}
