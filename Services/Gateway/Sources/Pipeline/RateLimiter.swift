import Bus
import Foundation
import Logging
import NIOCore
import Synchronization

/// A rate: `rate` requests a second on average, bursts of up to `burst` at once.
public struct RateLimit: Sendable, Hashable {
    /// Requests a second on average; 0 or less turns the limit off.
    public var rate: Double
    /// Requests allowed at once.
    public var burst: Double

    /// `rate` a second, bursts of `burst`.
    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// Off: every request goes ahead.
    public var isOff: Bool { rate <= 0 }

    /// Tokens one replica takes from Redis at a time: a twentieth of a second of the rate, at most
    /// a tenth of the burst, at least one. Most requests then spend a token held in memory; what a
    /// replica holds unspent when its lease ends is lost, never given twice.
    var leaseSize: Int { max(1, min(Int(burst / 10), Int(rate / 20))) }
}

/// Whom a limit counts: a client address (before authentication) or a signed-in user. Addresses
/// are kept as their bytes, so the hot path makes no string.
enum LimitKey: Hashable, Sendable {
    case ipv4(UInt32)
    case ipv6(UInt64, UInt64)
    /// Anything else (a Unix socket, no address).
    case address(String)
    case user(String)

    /// The key of the client at `address`.
    static func client(_ address: SocketAddress?) -> LimitKey {
        switch address {
        case .v4(let v4)?: return .ipv4(v4.address.sin_addr.s_addr)
        case .v6(let v6)?:
            return withUnsafeBytes(of: v6.address.sin6_addr) { .ipv6($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        default: return .address(address?.description ?? "?")
        }
    }

    /// The Redis key (under the bus prefix).
    var redisKey: String {
        switch self {
        case .ipv4(let raw): "gw:rl:addr:" + withUnsafeBytes(of: raw) { $0.map(String.init).joined(separator: ".") }
        case .ipv6(let high, let low): "gw:rl:addr:" + String(high, radix: 16) + ":" + String(low, radix: 16)
        case .address(let text): "gw:rl:addr:" + text
        case .user(let id): "gw:rl:user:" + id
        }
    }
}

/// Rate limits shared by every gateway replica: GCRA (the generic cell rate algorithm: one
/// "theoretical arrival time" per key) kept in Redis and advanced by one atomic script on Redis's
/// clock, so replicas never disagree about time. A replica takes tokens in small leases
/// (`RateLimit.leaseSize`) and spends them from memory for at most `leaseLifetime`; together the
/// replicas never admit more than the limit allows (unspent leases only make them stricter).
/// Without a bus, or while Redis is unreachable, the same algorithm runs in this process (limits
/// then hold per replica; the first failure is logged).
final class RateLimiter: Sendable {
    /// What the limiter decided.
    enum Admission: Sendable, Hashable {
        case admitted
        /// Seconds until a request under this key would be admitted.
        case refused(retryAfter: Double)
    }

    private struct Lease {
        var tokens: Int
        var until: ContinuousClock.Instant
    }

    let bus: Bus?
    let logger: Logger
    let leaseLifetime: Duration
    private let leases = Mutex<[LimitKey: Lease]>([:])
    /// Theoretical arrival times (seconds on this process's clock) of the in-process fallback.
    private let local = Mutex<[LimitKey: Double]>([:])
    private let redisFailing = Atomic<Bool>(false)

    init(bus: Bus?, logger: Logger, leaseLifetime: Duration = .milliseconds(250)) {
        self.bus = bus
        self.logger = logger
        self.leaseLifetime = leaseLifetime
    }

    /// Admits one request under `key` against `limit`.
    func admit(_ key: LimitKey, _ limit: RateLimit) async -> Admission {
        if limit.isOff || spendLeased(key) { return .admitted }
        guard let bus else { return admitLocally(key, limit) }
        do {
            let reply = try await bus.evaluate(Self.gcra, keys: [key.redisKey], [
                String(Int((1_000_000 / limit.rate).rounded(.up))), String(Int(limit.burst)), String(limit.leaseSize),
            ])
            if redisFailing.exchange(false, ordering: .relaxed) { logger.notice("rate limits are shared through Redis again") }
            guard case .array(let values) = reply, values.count == 2, case .integer(let granted) = values[0], case .integer(let waitMicros) = values[1]
            else { return admitLocally(key, limit) }
            guard granted > 0 else { return .refused(retryAfter: Double(waitMicros) / 1e6) }
            if granted > 1 { lease(key, tokens: Int(granted) - 1) }
            return .admitted
        } catch {
            if !redisFailing.exchange(true, ordering: .relaxed) {
                logger.warning("Redis is unreachable; rate limits hold per gateway replica until it is back", metadata: ["error": "\(error)"])
            }
            return admitLocally(key, limit)
        }
    }

    /// Spends a token this replica holds for `key`; false when it holds none.
    private func spendLeased(_ key: LimitKey) -> Bool {
        leases.withLock { leases in
            guard var lease = leases[key] else { return false }
            guard lease.tokens > 0, lease.until > .now else {
                leases[key] = nil
                return false
            }
            lease.tokens -= 1
            leases[key] = lease.tokens == 0 ? nil : lease
            return true
        }
    }

    private func lease(_ key: LimitKey, tokens: Int) {
        let until = ContinuousClock.now + leaseLifetime
        leases.withLock { leases in
            if leases.count > 100_000 {
                let now = ContinuousClock.now
                leases = leases.filter { $0.value.until > now }
            }
            leases[key] = Lease(tokens: (leases[key].map { $0.until > .now ? $0.tokens : 0 } ?? 0) + tokens, until: until)
        }
    }

    /// The same GCRA in this process.
    private func admitLocally(_ key: LimitKey, _ limit: RateLimit) -> Admission {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        let interval = 1 / limit.rate, capacity = limit.burst * interval
        return local.withLock { arrivals in
            if arrivals.count > 100_000 { arrivals = arrivals.filter { $0.value > now } }
            let tat = max(arrivals[key] ?? now, now)
            guard tat + interval - now <= capacity + 1e-9 else { return .refused(retryAfter: tat + interval - capacity - now) }
            arrivals[key] = tat + interval
            return .admitted
        }
    }

    /// GCRA with leases, in one atomic step on Redis's clock (microseconds). KEYS[1]: the key's
    /// theoretical arrival time; ARGV: the emission interval, the burst, the tokens wanted. Answers
    /// {tokens granted, microseconds until one would be} and keeps the key only as long as it matters.
    static let gcra = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local capacity = tonumber(ARGV[2]) * interval
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
        if tat < now then tat = now end
        local room = math.floor((now + capacity - tat) / interval)
        local granted = math.min(tonumber(ARGV[3]), room)
        if granted < 1 then
          return {0, tat + interval - capacity - now}
        end
        tat = tat + granted * interval
        redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1)
        return {granted, 0}
        """
}
