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

/// The highest (or lowest) value over the last `window` bars and the bar it came from, in amortized
/// O(1) per bar (a monotonic deque), where TA-Lib rescans the window whenever its extreme leaves it.
public struct WindowExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline var values: [Double]
    @usableFromInline var positions: [Int]
    @usableFromInline var front = 0
    @usableFromInline var count = 0
    @usableFromInline let window: Int
    /// Bars pushed so far; the position of the next bar.
    @usableFromInline var bar = 0

    public init(window: Int) {
        precondition(window > 0, "a window holds at least one bar")
        self.window = window
        values = [Double](repeating: 0, count: window)
        positions = [Int](repeating: 0, count: window)
    }

    /// Adds the next bar's value and returns the extreme over the last `window` bars with how many
    /// bars ago it happened (0 = this bar).
    @inlinable
    public mutating func push(_ value: Double) -> (value: Double, age: Int) {
        let capacity = window
        let position = bar
        bar += 1
        return values.withUnsafeMutableBufferPointer { values in
            positions.withUnsafeMutableBufferPointer { positions in
                // Drop the entry that left the window.
                if count > 0 && positions[front] <= position - capacity {
                    front += 1
                    if front == capacity { front = 0 }
                    count -= 1
                }
                // Drop entries the new value supersedes (from the back).
                while count > 0 {
                    var back = front + count - 1
                    if back >= capacity { back -= capacity }
                    guard Order.supersedes(value, values[back]) else { break }
                    count -= 1
                }
                var slot = front + count
                if slot >= capacity { slot -= capacity }
                values[slot] = value
                positions[slot] = position
                count += 1
                return (values[front], position - positions[front])
            }
        }
    }
}
