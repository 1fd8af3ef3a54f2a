import Bus
import Foundation
import HTTPTypes
import Synchronization
import TradingCore

/// Brute-force protection for logins: failures are counted per account and per client address in
/// Redis (so every gateway replica sees the same counts; in this process when there is no bus),
/// each count living `window` from its first failure. Past `accountLimit` failures for an
/// account, or `addressLimit` from an address, logins for it are refused with 429 until its window
/// ends, before any password is checked. A success clears the account's count.
final class LoginGuard: Sendable {
    let bus: Bus?
    let accountLimit: Int
    let addressLimit: Int
    let window: Duration
    private let local = Mutex<[String: (count: Int, until: ContinuousClock.Instant)]>([:])

    init(bus: Bus?, accountLimit: Int = 5, addressLimit: Int = 20, window: Duration = .seconds(900)) {
        self.bus = bus
        self.accountLimit = accountLimit
        self.addressLimit = addressLimit
        self.window = window
    }

    static func accountKey(_ email: String) -> String { "gw:login:acct:" + email }
    static func addressKey(_ address: String) -> String { "gw:login:addr:" + address }

    /// Refuses (429, `auth.login_locked`, with `Retry-After`) while the account or the address is locked.
    func check(email: String, address: String) async throws {
        for (key, limit, what) in [(Self.accountKey(email), accountLimit, "this account"), (Self.addressKey(address), addressLimit, "your address")] {
            let (count, left) = try await read(key)
            guard count >= limit else { continue }
            let seconds = max(1, Int(left.seconds.rounded(.up)))
            var error = APIError(
                .tooManyRequests, "auth.login_locked", "too many failed logins for \(what); try again in \(seconds) s, or reset the password")
            error.headers[.retryAfter] = "\(seconds)"
            throw error
        }
    }

    /// Counts a failed login against the account and the address.
    func failed(email: String, address: String) async {
        for key in [Self.accountKey(email), Self.addressKey(address)] { await increment(key) }
    }

    /// A successful login: the account's failures are forgotten (the address's stay).
    func succeeded(email: String) async {
        let key = Self.accountKey(email)
        if let bus {
            _ = try? await bus.command("DEL", key: key)
        } else {
            _ = local.withLock { $0.removeValue(forKey: key) }
        }
    }

    private var windowMs: Int64 { window.milliseconds }

    /// The failures counted under `key` and the time left in its window.
    private func read(_ key: String) async throws -> (Int, Duration) {
        guard let bus else {
            let now = ContinuousClock.now
            return local.withLock { entries in
                guard let e = entries[key], e.until > now else { return (0, .zero) }
                return (e.count, e.until - now)
            }
        }
        guard case .string(let bytes) = try await bus.command("GET", key: key), let count = Int(String(decoding: bytes, as: UTF8.self)) else {
            return (0, .zero)
        }
        guard case .integer(let ms) = try await bus.command("PTTL", key: key), ms > 0 else { return (count, window) }
        return (count, .milliseconds(ms))
    }

    private func increment(_ key: String) async {
        guard let bus else {
            let now = ContinuousClock.now
            local.withLock { entries in
                if entries.count > 100_000 { entries = entries.filter { $0.value.until > now } }
                let current = entries[key].flatMap { $0.until > now ? $0 : nil }
                entries[key] = (count: (current?.count ?? 0) + 1, until: current?.until ?? now + window)
            }
            return
        }
        // The first failure starts the window; later ones count inside it.
        if case .integer(1)? = try? await bus.command("INCR", key: key) {
            _ = try? await bus.command("PEXPIRE", key: key, [Array(String(windowMs).utf8)])
        }
    }
}
