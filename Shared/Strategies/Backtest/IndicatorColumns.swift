import Indicators
#if canImport(Glibc)
import Glibc
#endif

/// The batch form of a plan's indicators over a series: one column per input slot after the five
/// prices. Batch values equal the streaming ones bit for bit (the indicator library's promise,
/// tested there), so a backtest decides what a live bot decides.
///
/// Shared across plans over the same series (an optimisation's parameter sets), it computes each
/// distinct indicator and source once. Not for concurrent use: each worker keeps its own.
public final class IndicatorColumns {
    private let series: BarSeries
    private var cache: [String: ColumnBlock] = [:]
    private var sources: [PriceSource: [Double]] = [:]

    public init(_ series: BarSeries) { self.series = series }

    /// Pointers to the columns of `plan`'s indicator input slots (`SignalProgram.firstIndicatorSlot`..<inputCount), in slot order. They stay
    /// valid as long as this object lives.
    func columns(for plan: StrategyPlan) -> [UnsafePointer<Double>] {
        var out: [UnsafePointer<Double>] = []
        for input in plan.indicators {
            let block = cache[input.label] ?? compute(input)
            cache[input.label] = block
            for k in 0..<block.width { out.append(UnsafePointer(block.storage.baseAddress! + k * block.count)) }
        }
        return out
    }

    private func compute(_ input: StrategyPlan.IndicatorInput) -> ColumnBlock {
        let block = ColumnBlock(count: series.count, width: input.indicator.definition.width)
        var engine = input.indicator.makeEngine()
        let outputs = UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>.allocate(capacity: block.width)
        defer { outputs.deallocate() }
        for k in 0..<block.width { outputs[k] = block.storage.baseAddress! + k * block.count }
        priceSeries(for: input.source).withColumns { engine.run(over: $0, into: outputs) }
        return block
    }

    /// The series an indicator reads: the bars themselves for `close` (multi-input indicators read
    /// their own columns), else a single-value series of `source`, as the streaming driver feeds it.
    private func priceSeries(for source: PriceSource) -> PriceSeries {
        if source == .close { return series.prices }
        let column = sourceColumn(source)
        return PriceSeries(bars: column.map { PriceBar(value: $0) })
    }

    func sourceColumn(_ source: PriceSource) -> [Double] {
        if let hit = sources[source] { return hit }
        let p = series.prices
        // The same arithmetic as the streaming driver's `PriceSource.value(of:)`: the same bits.
        let column = (0..<p.count).map { source.value(of: p[$0]) }
        sources[source] = column
        return column
    }
}

/// `width` columns of `count` values in one allocation, NaN until written; freed with the object.
final class ColumnBlock {
    let storage: UnsafeMutableBufferPointer<Double>
    let count: Int
    let width: Int

    init(count: Int, width: Int) {
        self.count = count
        self.width = width
        storage = HugePages.allocate(max(1, count * width))
        storage.initialize(repeating: .nan)
    }

    deinit { HugePages.free(storage) }
}

extension PriceSource {
    /// This source's value on `bar`, with the same arithmetic as the batch column and the program.
    @inline(__always)
    func value(of bar: PriceBar) -> Double {
        switch self {
        case .open: bar.open
        case .high: bar.high
        case .low: bar.low
        case .close: bar.close
        case .volume: bar.volume
        case .hl2: (bar.high + bar.low) / 2
        case .hlc3: (bar.high + bar.low + bar.close) / 3
        case .ohlc4: (bar.open + bar.high + bar.low + bar.close) / 4
        }
    }
}

/// Large column storage on 2 MiB pages where the kernel offers them (transparent huge pages in
/// `madvise` mode): a million-bar column is then 4 page faults instead of 2,000, which on a small
/// VM cost more than computing the column.
enum HugePages {
    static let size = 2 << 20

    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Double> {
        let bytes = count * MemoryLayout<Double>.stride
        #if canImport(Glibc)
        if bytes >= size {
            var raw: UnsafeMutableRawPointer?
            let rounded = (bytes + size - 1) / size * size
            if posix_memalign(&raw, size, rounded) == 0, let raw {
                _ = madvise(raw, rounded, 14)  // MADV_HUGEPAGE
                return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Double.self, capacity: count), count: count)
            }
        }
        #endif
        return .allocate(capacity: count)
    }

    static func free(_ buffer: UnsafeMutableBufferPointer<Double>) {
        // posix_memalign memory and allocate(capacity:) memory are both free()d by the C allocator.
        buffer.deallocate()
    }
}
