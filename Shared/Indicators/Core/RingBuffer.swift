/// The last `capacity` values of a series, oldest first: the window behind every running sum.
///
/// A value type, so copying an indicator copies its window. The values live in `WindowCells`:
/// inside the struct for every default period and most a trader picks, so a push is a load and a
/// store.
public struct RingBuffer: Sendable {
    @usableFromInline var cells: WindowCells
    /// How many values the window holds once full.
    @inlinable
    public var capacity: Int { cells.capacity }
    @usableFromInline var head = 0
    @usableFromInline var filled = 0

    public init(capacity: Int) {
        cells = WindowCells(capacity: capacity)
    }

    /// The values held: those pushed, up to `capacity`.
    @inlinable
    public var count: Int { filled }

    /// True once `capacity` values have been pushed.
    @inlinable
    public var isFull: Bool { filled == capacity }

    /// Appends `value`, dropping the oldest when full.
    @inlinable @inline(__always)
    public mutating func push(_ value: Double) { _ = replace(with: value) }

    /// Appends `value` and returns the value it pushed out: the one `capacity` pushes ago, 0 while
    /// the window is filling (so a running total can always add `value − dropped`).
    @inlinable @inline(__always)
    public mutating func replace(with value: Double) -> Double {
        let slot = head
        let dropped = withMutableCells { cells in
            let dropped = cells[slot]
            cells[slot] = value
            return dropped
        }
        head += 1
        if head == capacity { head = 0 }
        if filled < capacity { filled += 1 }
        return dropped
    }

    /// True when the last push filled the storage's last cell: once every `capacity` pushes.
    @inlinable
    public var completedLap: Bool { head == 0 && filled > 0 }

    // The readers are `mutating` for speed, not to change anything: the inline cells are reached in
    // place only through inout access; a borrowed 512-byte tuple is copied (twice, as measured)
    // before its address can be taken.

    /// The oldest value held; once full, the one the next push drops.
    @inlinable
    public var oldest: Double {
        @inline(__always) mutating get {
            let index = filled == capacity ? head : 0
            return withMutableCells { $0[index] }
        }
    }

    /// The value pushed `age` pushes ago (0 is the newest).
    @inlinable
    public subscript(age age: Int) -> Double {
        @inline(__always) mutating get {
            var index = head - 1 - age
            if index < 0 { index += capacity }
            return withMutableCells { [index] in $0[index] }
        }
    }

    /// Calls `body` with every held value, in storage order (which is what TA-Lib sums in too).
    @inlinable
    public mutating func withValues<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows -> R {
        let count = filled
        return try withMutableCells { try body(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// The `capacity` cells, wherever they live.
    @inlinable @inline(__always)
    mutating func withMutableCells<R>(_ body: (UnsafeMutablePointer<Double>) throws -> R) rethrows -> R {
        try cells.withMutableCells(body)
    }
}

extension RingBuffer: Hashable {
    /// Two windows are equal when they hold the same values in the same cells at the same point of
    /// their lap.
    public static func == (lhs: RingBuffer, rhs: RingBuffer) -> Bool {
        guard lhs.capacity == rhs.capacity, lhs.head == rhs.head, lhs.filled == rhs.filled else { return false }
        var (lhs, rhs) = (lhs, rhs)
        return lhs.withValues { left in rhs.withValues { right in left.elementsEqual(right) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        hasher.combine(head)
        hasher.combine(filled)
        var window = self
        window.withValues { values in for value in values { hasher.combine(value) } }
    }
}
