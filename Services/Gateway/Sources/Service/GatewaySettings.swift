import Foundation
import NIOSSL
import RPC
import ServiceKit
import TradingCore

/// The gateway's own settings (beside the host's), read from the same sources and validated at start-up.
public struct GatewaySettings: Sendable {
    /// market-data (`peers.market_data`): assets, quotes, candles, instruments.
    public var marketData: PeerAddress?
    /// orchestrator (`peers.orchestrator`): bots, decisions, analysis, backtests, chat.
    public var orchestrator: PeerAddress?
    /// risk (`peers.risk`): manual orders and the kill switch.
    public var risk: PeerAddress?
    /// execution (`peers.execution`): accounts, positions, orders, trades.
    public var execution: PeerAddress?
    /// Where the REST/WebSocket API listens (`http.host`, `http.port`; 0 picks a free port).
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// The key access tokens are signed with (`auth.jwt_secret`, at least 32 characters; required).
    public var jwtSecret = ""
    /// How long an access token is valid.
    public var accessTTLSeconds = 900
    /// How long a refresh token is valid.
    public var refreshTTLSeconds = 30 * 86_400
    /// Who may register (`auth.registration`): anyone (`open`), holders of an admin's invite
    /// (`invite`), or nobody (`closed`; users come from admins and `tradewind admin create-user`).
    public var registration = RegistrationPolicy.open
    /// How long an admin-issued password reset token works (`auth.reset_ttl_seconds`).
    public var resetTTLSeconds = 3600
    /// How long an invite works (`auth.invite_ttl_seconds`).
    public var inviteTTLSeconds = 7 * 86_400
    /// bcrypt's cost (log2 rounds).
    public var bcryptCost = 10
    /// Requests a second per signed-in user on average, and the burst allowed
    /// (`limits.requests_per_second`, `limits.burst`); a rate of 0 turns the limit off.
    public var userLimit = RateLimit(rate: 50, burst: 100)
    /// The same per client address, checked before any credentials are
    /// (`limits.address_requests_per_second`, `limits.address_burst`).
    public var addressLimit = RateLimit(rate: 200, burst: 400)
    /// How long one rendering of `GET /api/assets` serves every caller (`cache.assets_ms`); 0 renders per request.
    public var assetsCacheMilliseconds = 250
    /// Cash of the paper account every new user gets.
    public var initialCash = FixedDecimal(raw: 100_000 * FixedDecimal.unitsPerOne)

    /// HTTPS and WSS (`http.tls_cert`, `http.tls_key`: PEM files, read at start-up); nil: plain
    /// HTTP, for loopback or behind a TLS-terminating proxy. With it every answer carries HSTS.
    public var tls: TLSConfiguration?

    /// Browser origins (`https://app.example.com`, `http://localhost:5173`) whose pages may call the
    /// API and open the WebSocket; none by default.
    public var corsOrigins: [String] = []

    /// Live WebSocket connections one user may hold at once (`ws.max_connections_per_user`); one
    /// more is closed at once with 1008 and the reason.
    public var webSocketConnectionsPerUser = 16
    /// Channels one WebSocket connection may subscribe to (`ws.max_subscriptions`).
    public var webSocketSubscriptions = 64
    /// A ping every this many seconds (`ws.ping_seconds`); a client that has not answered the
    /// previous one by then is closed (a dead peer, a lost network).
    public var webSocketPingSeconds = 30

    /// True when the gateway listens on loopback only: then (a developer's machine) the first user
    /// to register becomes admin; on any other address nobody becomes admin by registering.
    public var firstUserIsAdmin: Bool { ["127.0.0.1", "::1", "localhost"].contains(httpHost) }

    /// The defaults of the README (no signing key: `read` requires one).
    public init() {}

    static let keys: Set<String> = [
        "peers.market_data", "peers.orchestrator", "peers.risk", "peers.execution", "http.host", "http.port", "auth.jwt_secret",
        "auth.access_ttl_seconds", "auth.refresh_ttl_seconds", "auth.bcrypt_cost", "auth.registration", "auth.reset_ttl_seconds",
        "auth.invite_ttl_seconds", "limits.requests_per_second", "limits.burst",
        "limits.address_requests_per_second", "limits.address_burst",
        "accounts.initial_cash", "cache.assets_ms", "http.cors_origins", "http.tls_cert", "http.tls_key",
        "ws.max_connections_per_user", "ws.max_subscriptions", "ws.ping_seconds",
    ]

    /// Reads the settings from `v`; a missing or short `auth.jwt_secret` is refused.
    public static func read(_ v: ConfigValues) throws(ConfigError) -> GatewaySettings {
        var s = GatewaySettings()
        s.marketData = try v.peer("peers.market_data")
        s.orchestrator = try v.peer("peers.orchestrator")
        s.risk = try v.peer("peers.risk")
        s.execution = try v.peer("peers.execution")
        s.httpHost = v.string("http.host", default: s.httpHost)
        s.corsOrigins = v.string("http.cors_origins", default: "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for origin in s.corsOrigins where origin == "*" || !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.hasSuffix("/") {
            throw ConfigError(key: "http.cors_origins", message: "\"\(origin.prefix(80))\" is not an origin; list scheme://host[:port] values, comma-separated (never *)")
        }
        s.httpPort = try v.int("http.port", default: s.httpPort, range: 0...65_535)
        s.tls = try tlsConfiguration(certificate: v.string("http.tls_cert", default: ""), key: v.string("http.tls_key", default: ""))
        s.jwtSecret = v.string("auth.jwt_secret", default: "")
        guard s.jwtSecret.count >= 32 else {
            throw ConfigError(key: "auth.jwt_secret", message: "is required and must have at least 32 characters (e.g. `openssl rand -hex 32`)")
        }
        s.accessTTLSeconds = try v.int("auth.access_ttl_seconds", default: s.accessTTLSeconds, range: 10...86_400)
        s.refreshTTLSeconds = try v.int("auth.refresh_ttl_seconds", default: s.refreshTTLSeconds, range: 60...(365 * 86_400))
        s.bcryptCost = try v.int("auth.bcrypt_cost", default: s.bcryptCost, range: 4...16)
        s.registration = RegistrationPolicy(rawValue: try v.choice("auth.registration", default: s.registration.rawValue, RegistrationPolicy.allCases.map(\.rawValue))) ?? .open
        s.resetTTLSeconds = try v.int("auth.reset_ttl_seconds", default: s.resetTTLSeconds, range: 60...(30 * 86_400))
        s.inviteTTLSeconds = try v.int("auth.invite_ttl_seconds", default: s.inviteTTLSeconds, range: 60...(90 * 86_400))
        s.userLimit = RateLimit(
            rate: try v.double("limits.requests_per_second", default: s.userLimit.rate, range: 0...1_000_000),
            burst: try v.double("limits.burst", default: s.userLimit.burst, range: 1...10_000_000))
        s.addressLimit = RateLimit(
            rate: try v.double("limits.address_requests_per_second", default: s.addressLimit.rate, range: 0...1_000_000),
            burst: try v.double("limits.address_burst", default: s.addressLimit.burst, range: 1...10_000_000))
        s.assetsCacheMilliseconds = try v.int("cache.assets_ms", default: s.assetsCacheMilliseconds, range: 0...60_000)
        s.webSocketConnectionsPerUser = try v.int("ws.max_connections_per_user", default: s.webSocketConnectionsPerUser, range: 1...10_000)
        s.webSocketSubscriptions = try v.int("ws.max_subscriptions", default: s.webSocketSubscriptions, range: 1...10_000)
        s.webSocketPingSeconds = try v.int("ws.ping_seconds", default: s.webSocketPingSeconds, range: 1...3_600)
        let cash = try v.int("accounts.initial_cash", default: 100_000, range: 1...1_000_000_000)
        s.initialCash = FixedDecimal(raw: Int64(cash) * FixedDecimal.unitsPerOne)
        return s
    }
}

/// The HTTPS configuration of `certificate` and `key` (PEM files), nil when neither is given.
public func tlsConfiguration(certificate: String, key: String) throws(ConfigError) -> TLSConfiguration? {
    guard certificate.isEmpty == key.isEmpty else {
        throw ConfigError(key: certificate.isEmpty ? "http.tls_cert" : "http.tls_key", message: "http.tls_cert and http.tls_key go together (PEM files)")
    }
    guard !certificate.isEmpty else { return nil }
    do { return try RPCTLS.serverConfiguration(certificateFile: certificate, keyFile: key) } catch {
        throw ConfigError(key: "http.tls_cert", message: error.message)
    }
}

/// Who may create an account through `POST /api/auth/register`.
public enum RegistrationPolicy: String, Sendable, Hashable, CaseIterable {
    case open, invite, closed
}
