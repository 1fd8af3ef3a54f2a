/// The last `capacity` values of a series, oldest first: the window behind every running sum.
///
/// A value type (an array underneath), so copying an indicator copies its window.
public struct RingBuffer: Sendable, Hashable {
    @usableFromInline var storage: [Double]
    @usableFromInline var head = 0
    @usableFromInline var filled = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a window holds at least one value")
        storage = [Double](repeating: 0, count: capacity)
    }

    @inlinable
    public var capacity: Int { storage.count }

    /// True once `capacity` values have been pushed.
    @inlinable
    public var isFull: Bool { filled == storage.count }

    /// Appends `value`, dropping the oldest when full.
    @inlinable
    public mutating func push(_ value: Double) { _ = replace(with: value) }

    /// Appends `value` and returns the value it pushed out: the one `capacity` pushes ago, 0 while
    /// the window is filling (so a running total can always add `value − dropped`).
    @inlinable
    public mutating func replace(with value: Double) -> Double {
        let dropped = storage.withUnsafeMutableBufferPointer { buffer in
            let dropped = buffer[head]
            buffer[head] = value
            return dropped
        }
        head += 1
        if head == storage.count { head = 0 }
        if filled < storage.count { filled += 1 }
        return dropped
    }

    /// True when the last push filled the storage's last cell: once every `capacity` pushes.
    @inlinable
    public var completedLap: Bool { head == 0 && filled > 0 }

    /// The oldest value held; once full, the one the next push drops.
    @inlinable
    public var oldest: Double {
        storage.withUnsafeBufferPointer { $0[filled == $0.count ? head : 0] }
    }

    /// The value pushed `age` pushes ago (0 is the newest).
    @inlinable
    public subscript(age age: Int) -> Double {
        var index = head - 1 - age
        if index < 0 { index += storage.count }
        return storage.withUnsafeBufferPointer { $0[index] }
    }

    /// Calls `body` with every held value, in storage order (which is what TA-Lib sums in too).
    @inlinable
    public func withValues<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<filled])) }
    }
}
