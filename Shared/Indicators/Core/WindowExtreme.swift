/// Which extreme a `WindowExtreme` tracks.
public protocol ExtremeOrder: Sendable {
    /// True when `candidate` replaces `incumbent` as the extreme. Ties go to the later bar, as in
    /// TA-Lib (AROON counts bars since the *latest* high).
    static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool
}

public enum Highest: ExtremeOrder {
    @inlinable
    public static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool { candidate >= incumbent }
}

public enum Lowest: ExtremeOrder {
    @inlinable
    public static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool { candidate <= incumbent }
}

/// The highest (or lowest) value over the last `window` bars and the bar it came from.
///
/// TA-Lib's scheme: keep the extreme and where it was; a new value that supersedes it takes its
/// place, and only when the extreme leaves the window is the window rescanned. On market data that
/// is about one predictable comparison per bar (amortized O(1)); a monotonic deque was measured
/// 10× slower here, its pops being unpredictable branches.
public struct WindowExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline var window: RingBuffer
    @usableFromInline var extreme = 0.0
    @usableFromInline var extremePosition = -1
    /// Bars pushed so far; the position of the next bar.
    @usableFromInline var bar = 0

    public init(window: Int) {
        precondition(window > 0, "a window holds at least one bar")
        self.window = RingBuffer(capacity: window)
    }

    /// Adds the next bar's value and returns the extreme over the last `window` bars with how many
    /// bars ago it happened (0 = this bar).
    @inlinable
    public mutating func push(_ value: Double) -> (value: Double, age: Int) {
        let position = bar
        bar += 1
        window.push(value)
        if position - extremePosition >= window.capacity || extremePosition < 0 {
            // The extreme left the window: rescan it, oldest first, so the latest tie wins.
            let held = min(bar, window.capacity)
            var age = held - 1
            extreme = window[age: age]
            extremePosition = position - age
            while age > 0 {
                age -= 1
                let candidate = window[age: age]
                if Order.supersedes(candidate, extreme) {
                    extreme = candidate
                    extremePosition = position - age
                }
            }
        } else if Order.supersedes(value, extreme) {
            extreme = value
            extremePosition = position
        }
        return (extreme, position - extremePosition)
    }
}
