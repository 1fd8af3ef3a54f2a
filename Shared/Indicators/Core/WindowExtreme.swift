/// Which extreme a window tracks.
public protocol ExtremeOrder: Sendable {
    /// True when `candidate`, the later value, replaces `incumbent` as the extreme. Ties go to the
    /// later bar, as in TA-Lib (AROON counts bars since the *latest* high).
    static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool
    /// The more extreme of two values (either one on a tie: they are equal). Written so that it
    /// compiles to one max/min instruction, not a branch.
    static func extreme(_ a: Double, _ b: Double) -> Double
    /// A value every value supersedes: where a scan starts.
    static var identity: Double { get }
}

public enum Highest: ExtremeOrder {
    @inlinable
    public static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool { candidate >= incumbent }
    @inlinable @inline(__always)
    public static func extreme(_ a: Double, _ b: Double) -> Double { a > b ? a : b }
    @inlinable
    public static var identity: Double { -.infinity }
}

public enum Lowest: ExtremeOrder {
    @inlinable
    public static func supersedes(_ candidate: Double, _ incumbent: Double) -> Bool { candidate <= incumbent }
    @inlinable @inline(__always)
    public static func extreme(_ a: Double, _ b: Double) -> Double { a < b ? a : b }
    @inlinable
    public static var identity: Double { .infinity }
}

/// The sliding-window extreme by blocks (van Herk / Gil-Werman), shared by the streaming and batch
/// forms. Bars are cut into blocks of `window`; the window ending at a bar is the tail of the
/// previous block plus the head of the current one, so its extreme is the more extreme of the
/// previous block's suffix extreme (all computed once per block) and the current block's running
/// prefix extreme: three max (or min) instructions per bar whatever the data. Rescanning the window
/// when its extreme leaves (TA-Lib's scheme, kept for AROON, which needs the extreme's age) was
/// measured 2–3× slower on market data, its branches unpredictable.
@usableFromInline
struct BlockExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline let window: Int
    /// Suffix extremes of the previous block; cell `window` is the identity, so the last bar of a
    /// block (whose window is that block alone) needs no special case.
    @usableFromInline var suffix: [Double]
    @usableFromInline var prefix: Double = Order.identity

    @inlinable
    init(window: Int) {
        precondition(window > 0, "a window holds at least one bar")
        self.window = window
        suffix = [Double](repeating: Order.identity, count: window + 1)
    }

    /// Closes the current block, whose `window` values start at `block`.
    @inlinable
    mutating func closeBlock(_ block: UnsafePointer<Double>) {
        let window = window
        suffix.withUnsafeMutableBufferPointer { suffix in
            var best = Order.identity
            var offset = window
            while offset > 0 {
                offset -= 1
                best = Order.extreme(block[offset], best)
                suffix[offset] = best
            }
        }
        prefix = Order.identity
    }

    /// Takes the bar `offset` bars into its block; returns the extreme of the window ending there.
    @inlinable @inline(__always)
    mutating func push(_ value: Double, offset: Int) -> Double {
        prefix = Order.extreme(value, prefix)
        let earlier = suffix.withUnsafeBufferPointer { $0[offset + 1] }
        return Order.extreme(prefix, earlier)
    }
}

/// The highest (or lowest) value over the last `window` bars (all of them while fewer), in O(1)
/// per bar: the streaming form, keeping the current block's values in a ring buffer whose laps are
/// the blocks (its storage order is the block's order).
public struct WindowExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline var extreme: BlockExtreme<Order>
    @usableFromInline var block: RingBuffer

    public init(window: Int) {
        extreme = BlockExtreme(window: window)
        block = RingBuffer(capacity: window)
    }

    /// Adds the next bar's value and returns the extreme over the last `window` bars.
    @inlinable @inline(__always)
    public mutating func push(_ value: Double) -> Double {
        if block.completedLap {
            block.withValues { extreme.closeBlock($0.baseAddress!) }
        }
        let offset = block.head
        block.push(value)
        return extreme.push(value, offset: offset)
    }
}

/// The batch form of `WindowExtreme`, where the input column itself holds the blocks: the extreme
/// of `column[bar − window + 1 … bar]` for bars taken in order.
@usableFromInline
struct ColumnExtreme<Order: ExtremeOrder> {
    @usableFromInline let column: UnsafePointer<Double>
    @usableFromInline var extreme: BlockExtreme<Order>
    @usableFromInline var offset = 0

    /// Ready to advance to bar `first`, the bars before it taken in.
    @inlinable
    init(_ column: UnsafeBufferPointer<Double>, window: Int, from first: Int) {
        self.column = column.baseAddress!
        extreme = BlockExtreme(window: window)
        for bar in 0..<min(first, column.count) { _ = advance(to: bar) }
    }

    /// The extreme over the window ending at `bar`, the next bar in order.
    @inlinable @inline(__always)
    mutating func advance(to bar: Int) -> Double {
        if offset == extreme.window {
            extreme.closeBlock(column + (bar - offset))
            offset = 0
        }
        defer { offset += 1 }
        return extreme.push(column[bar], offset: offset)
    }
}

/// The highest (or lowest) value over the last `window` bars and how many bars ago it was (AROON).
///
/// TA-Lib's scheme: keep the extreme and where it was; a new value that supersedes it takes its
/// place, and only when the extreme leaves the window is the window rescanned. On market data that
/// is about one predictable comparison per bar (amortized O(1)); a monotonic deque was measured
/// 10× slower here, its pops being unpredictable branches.
public struct AgedWindowExtreme<Order: ExtremeOrder>: Sendable, Hashable {
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
