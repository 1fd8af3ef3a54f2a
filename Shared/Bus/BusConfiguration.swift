/// Where and how the bus connects.
public struct BusConfiguration: Sendable {
    /// Redis address.
    public var host: String = "127.0.0.1"
    public var port: Int = 6379
    /// Prepended to every channel, pattern and key (e.g. a test's private prefix `t_123:`);
    /// stripped again from delivered channel names.
    public var prefix: String = ""
    /// Messages waiting to be published; past it `publish` drops and counts.
    public var publishQueueLimit: Int = 65_536
    /// Messages a subscription holds for a slow consumer; past it the oldest are dropped and counted.
    public var subscriberBufferLimit: Int = 8_192
    /// Reconnect delays.
    public var reconnectInitialMilliseconds: Int = 50
    /// The longest wait between reconnect attempts.
    public var reconnectMaximumMilliseconds: Int = 2_000

    /// Loopback defaults.
    public init() {}

    /// Seconds to wait before reconnect attempt `attempt` (1-based): exponential, capped, jittered.
    func reconnectDelay(attempt: Int) -> Double {
        let ms = Swift.min(reconnectMaximumMilliseconds, reconnectInitialMilliseconds << Swift.min(attempt, 10))
        return Double(ms) * Double.random(in: 0.5...1) / 1000
    }

    /// Checks every value; the message names the setting.
    public func validate() throws(BusError) {
        func bad(_ m: String) -> BusError { BusError(code: .connectionFailed, message: m) }
        guard !host.isEmpty else { throw bad("redis host must not be empty") }
        guard (1...65535).contains(port) else { throw bad("redis port \(port) is outside 1...65535") }
        guard publishQueueLimit > 0 else { throw bad("bus publishQueueLimit must be positive") }
        guard subscriberBufferLimit > 0 else { throw bad("bus subscriberBufferLimit must be positive") }
    }
}
