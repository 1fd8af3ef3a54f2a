import Foundation
import Synchronization

/// A token bucket per caller (user, else client address): `rate` requests a second on average,
/// bursts up to `burst`. Idle buckets are forgotten so the table stays small.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var at: Double
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
    }

    /// nil when `key` may go ahead; otherwise the seconds until it may.
    func admit(_ key: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        guard rate > 0 else { return nil }
        return buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets = buckets.filter { now - $0.value.at < burst / rate } }
            var b = buckets[key] ?? Bucket(tokens: burst, at: now)
            b.tokens = min(burst, b.tokens + (now - b.at) * rate)
            b.at = now
            defer { buckets[key] = b }
            guard b.tokens >= 1 else { return (1 - b.tokens) / rate }
            b.tokens -= 1
            return nil
        }
    }
}
