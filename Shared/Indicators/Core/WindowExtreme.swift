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
/// when its extreme leaves (TA-Lib's scheme) was measured 2–3× slower on market data, its branches
/// unpredictable. `RangeWindow` (streaming) and `forEachRange` (batch) run it; AROON runs
/// `AgedBlockExtreme`, the same with positions.
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

extension BlockExtreme where Order == Highest {
    /// Closes the current blocks of `highest` and `lowest` over the same `window` values (MIDPOINT):
    /// one loop carrying both scans, so the two chains of max and min run side by side.
    @inlinable
    static func closeBlocks(
        _ highest: inout BlockExtreme<Highest>, _ lowest: inout BlockExtreme<Lowest>, _ block: UnsafePointer<Double>
    ) {
        let window = highest.window
        highest.suffix.withUnsafeMutableBufferPointer { high in
            lowest.suffix.withUnsafeMutableBufferPointer { low in
                var (most, least) = (Highest.identity, Lowest.identity)
                var offset = window
                while offset > 0 {
                    offset -= 1
                    most = Highest.extreme(block[offset], most)
                    least = Lowest.extreme(block[offset], least)
                    high[offset] = most
                    low[offset] = least
                }
            }
        }
        highest.prefix = Highest.identity
        lowest.prefix = Lowest.identity
    }
}

/// `BlockExtreme` with each extreme carrying its bar's position, for AROON. Ties go to the later bar,
/// as in TA-Lib: the new bar takes the prefix on a tie, the prefix (later) takes the window on a
/// tie, and a suffix scan, running backwards, keeps the later bar on a tie. Positions are selected,
/// not branched on (AROON 17.5 → 7.9 ns a bar against TA-Lib's rescanning scheme, which we had).
@usableFromInline
struct AgedBlockExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline let window: Int
    /// Suffix extremes of the previous block and their positions; cell `window` is the identity.
    @usableFromInline var suffix: [Double]
    @usableFromInline var suffixPosition: [Int]
    @usableFromInline var prefix = Order.identity
    @usableFromInline var prefixPosition = 0

    @inlinable
    init(window: Int) {
        precondition(window > 0, "a window holds at least one bar")
        self.window = window
        suffix = [Double](repeating: Order.identity, count: window + 1)
        suffixPosition = [Int](repeating: 0, count: window + 1)
    }

    /// Closes the current block, whose `window` values start at `block`, the first at `first`.
    @inlinable
    mutating func closeBlock(_ block: UnsafePointer<Double>, first: Int) {
        let window = window
        suffix.withUnsafeMutableBufferPointer { suffix in
            suffixPosition.withUnsafeMutableBufferPointer { positions in
                var best = Order.identity
                var bestPosition = 0
                var offset = window
                while offset > 0 {
                    offset -= 1
                    // Running backwards, only a strictly more extreme (earlier) value takes over.
                    let takes = !Order.supersedes(best, block[offset])
                    best = Order.extreme(block[offset], best)
                    bestPosition = takes ? first + offset : bestPosition
                    suffix[offset] = best
                    positions[offset] = bestPosition
                }
            }
        }
        prefix = Order.identity
    }

    /// Takes the bar at `position`, `offset` bars into its block; returns the extreme of the window
    /// ending there and its position.
    @inlinable @inline(__always)
    mutating func push(_ value: Double, position: Int, offset: Int) -> (value: Double, position: Int) {
        let takesPrefix = Order.supersedes(value, prefix)
        prefix = Order.extreme(value, prefix)
        prefixPosition = takesPrefix ? position : prefixPosition
        let (earlier, earlierPosition) = suffix.withUnsafeBufferPointer { values in
            suffixPosition.withUnsafeBufferPointer { positions in (values[offset + 1], positions[offset + 1]) }
        }
        let prefixWins = Order.supersedes(prefix, earlier)
        return (Order.extreme(prefix, earlier), prefixWins ? prefixPosition : earlierPosition)
    }
}

/// The highest (or lowest) value over the last `window` bars and how many bars ago it was, in O(1)
/// per bar: the streaming form, keeping the current block in a ring buffer whose laps are the blocks.
public struct AgedWindowExtreme<Order: ExtremeOrder>: Sendable, Hashable {
    @usableFromInline var extreme: AgedBlockExtreme<Order>
    @usableFromInline var block: RingBuffer
    /// Bars pushed so far; the position of the next bar.
    @usableFromInline var bar = 0

    public init(window: Int) {
        extreme = AgedBlockExtreme(window: window)
        block = RingBuffer(capacity: window)
    }

    /// Adds the next bar's value and returns the extreme over the last `window` bars with how many
    /// bars ago it happened (0 = this bar).
    @inlinable @inline(__always)
    public mutating func push(_ value: Double) -> (value: Double, age: Int) {
        if block.completedLap {
            let first = bar - block.capacity
            block.withValues { extreme.closeBlock($0.baseAddress!, first: first) }
        }
        let offset = block.head
        let position = bar
        bar += 1
        block.push(value)
        let found = extreme.push(value, position: position, offset: offset)
        return (found.value, position - found.position)
    }
}

/// The batch form of `AgedWindowExtreme`, where the input column itself holds the blocks: the
/// extreme of `column[bar − window + 1 … bar]` and its age, for bars taken in order from 0.
@usableFromInline
struct ColumnAgedExtreme<Order: ExtremeOrder> {
    @usableFromInline let column: UnsafePointer<Double>
    @usableFromInline var extreme: AgedBlockExtreme<Order>
    @usableFromInline var offset = 0

    @inlinable
    init(_ column: UnsafeBufferPointer<Double>, window: Int) {
        self.column = column.baseAddress!
        extreme = AgedBlockExtreme(window: window)
    }

    /// The age of the extreme over the window ending at `bar`, the next bar in order.
    @inlinable @inline(__always)
    mutating func age(at bar: Int) -> Int {
        if offset == extreme.window {
            extreme.closeBlock(column + (bar - offset), first: bar - offset)
            offset = 0
        }
        defer { offset += 1 }
        return bar - extreme.push(column[bar], position: bar, offset: offset).position
    }
}
