/// Room for `capacity` doubles that an indicator's window keeps: `RingBuffer`'s values and the
/// current block of `RangeWindow`.
///
/// Up to `inlineCapacity` cells live inside the struct itself (every default period, and most a
/// trader picks): a write is then a plain store. More live in an array, and every write into it
/// pays the array's copy-on-write uniqueness check, a runtime call that also spills every
/// floating-point register the caller holds; that call was two thirds of a streaming SMA's time
/// (3.3 ns a bar against 1.0 inline).
public struct WindowCells: Sendable {
    /// Eight cells; eight of them make the inline storage (a homogeneous tuple is laid out like an
    /// array of its elements, which is what `withMutableCells` relies on).
    @usableFromInline typealias Eight = (Double, Double, Double, Double, Double, Double, Double, Double)
    @usableFromInline typealias InlineCells = (Eight, Eight, Eight, Eight, Eight, Eight, Eight, Eight)

    /// The most cells kept inside the struct.
    public static let inlineCapacity = 64

    @usableFromInline var inline: InlineCells
    /// The cells when there are more than `inlineCapacity`, empty otherwise.
    @usableFromInline var spilled: [Double]
    /// How many cells there are.
    public let capacity: Int

    /// `capacity` cells holding 0.
    public init(capacity: Int) {
        precondition(capacity > 0, "a window holds at least one value")
        self.capacity = capacity
        let zeros: Eight = (0, 0, 0, 0, 0, 0, 0, 0)
        inline = (zeros, zeros, zeros, zeros, zeros, zeros, zeros, zeros)
        spilled = capacity > Self.inlineCapacity ? [Double](repeating: 0, count: capacity) : []
    }

    /// Writes `value` into cell `index`. Inline, the index is masked to the inline cells: a no-op
    /// for every valid index that shows the optimizer the store cannot reach the indicator's other
    /// fields (streaming STOCHF 7.1 → 5.9 ns a bar, STOCH 11.3 → 10.3, whose bar writes its high and
    /// its low).
    @inlinable @inline(__always)
    mutating func store(_ value: Double, at index: Int) {
        if _slowPath(capacity > Self.inlineCapacity) {
            spilled.withUnsafeMutableBufferPointer { $0[index] = value }
            return
        }
        withUnsafeMutableBytes(of: &inline) {
            $0.baseAddress!.assumingMemoryBound(to: Double.self)[index & (Self.inlineCapacity - 1)] = value
        }
    }

    // `mutating` for speed, also when only reading: the inline cells are reached in place only
    // through inout access; a borrowed 512-byte tuple is copied (twice, as measured) before its
    // address can be taken.

    /// Calls `body` with the first of the `capacity` cells, wherever they live.
    @inlinable @inline(__always)
    mutating func withMutableCells<R>(_ body: (UnsafeMutablePointer<Double>) throws -> R) rethrows -> R {
        if _slowPath(capacity > Self.inlineCapacity) {  // keeps the array path (and its call) out of the hot loop
            return try spilled.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
        }
        return try withUnsafeMutableBytes(of: &inline) {
            try body($0.baseAddress!.assumingMemoryBound(to: Double.self))
        }
    }
}

extension WindowCells: Hashable {
    /// Equal when they hold the same values in the same cells.
    public static func == (lhs: WindowCells, rhs: WindowCells) -> Bool {
        guard lhs.capacity == rhs.capacity else { return false }
        var (lhs, rhs) = (lhs, rhs)
        let count = lhs.capacity
        return lhs.withMutableCells { left in
            rhs.withMutableCells { right in UnsafeBufferPointer(start: left, count: count).elementsEqual(UnsafeBufferPointer(start: right, count: count)) }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(capacity)
        var cells = self
        cells.withMutableCells { for value in UnsafeBufferPointer(start: $0, count: capacity) { hasher.combine(value) } }
    }
}
