#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Jittered exponential backoff between reconnect attempts.
public struct Backoff: Sendable, Hashable {
    /// The first retry's (largest possible) delay.
    public var initial: Duration = .milliseconds(50)
    /// No delay is longer than this.
    public var maximum: Duration = .seconds(5)
    /// Growth per attempt.
    public var multiplier: Double = 2
    /// The delay is drawn uniformly from [(1 − jitter)·d, d].
    public var jitter: Double = 0.5

    /// 50 ms doubling to 5 s, with up to half taken off at random.
    public init() {}

    /// `initial` doubling to `maximum`, with up to half taken off at random.
    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Delay before attempt number `attempt` (0 for the first retry).
    public func delay<R: RandomNumberGenerator>(attempt: Int, using rng: inout R) -> Duration {
        let base = Double(initial.components.seconds) + Double(initial.components.attoseconds) / 1e18
        let cap = Double(maximum.components.seconds) + Double(maximum.components.attoseconds) / 1e18
        let d = min(cap, base * pow(multiplier, Double(min(attempt, 60))))
        let jittered = d * Double.random(in: (1 - jitter)...1, using: &rng)
        return .nanoseconds(Int64(jittered * 1e9))
    }

    /// Delay before attempt number `attempt`, with system randomness.
    public func delay(attempt: Int) -> Duration {
        var rng = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &rng)
    }
}
