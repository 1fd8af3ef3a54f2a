import NIOCore

/// Enforces call deadlines with one coarse repeating timer per connection instead of a timer per
/// call: scheduling and cancelling a timer for every call cost more than the call itself at
/// pipelined rates. The timer runs only while calls with deadlines are in flight; deadlines fire
/// within `granularity` of their instant.
struct DeadlineSweep {
    static let granularity: TimeAmount = .milliseconds(5)
    private var task: RepeatedTask?

    /// Starts the sweep unless it runs; `tick` is called on `eventLoop` every `granularity`.
    mutating func ensureRunning(on eventLoop: any EventLoop, _ tick: @escaping @Sendable () -> Void) {
        guard task == nil else { return }
        task = eventLoop.scheduleRepeatedTask(initialDelay: Self.granularity, delay: Self.granularity) { _ in tick() }
    }

    /// Stops the sweep (when no call with a deadline is left).
    mutating func stop() {
        task?.cancel()
        task = nil
    }

    /// The calls past their deadline, and whether any call still waits for its deadline.
    static func overdue<Call>(_ calls: [UInt64: Call], deadline: (Call) -> NIODeadline?) -> (expired: [(id: UInt64, call: Call)], pending: Bool) {
        let now = NIODeadline.now()
        var expired: [(id: UInt64, call: Call)] = []
        var pending = false
        for (id, call) in calls {
            guard let d = deadline(call) else { continue }
            if d <= now { expired.append((id, call)) } else { pending = true }
        }
        return (expired, pending)
    }
}
