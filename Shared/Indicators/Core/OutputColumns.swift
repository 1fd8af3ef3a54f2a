/// Lends `width` output columns of `count` values each to `fill` (the shape `run(over:into:)` writes)
/// and returns them as arrays, one per output. The one place batch results are allocated.
public func makeOutputColumns(
    count: Int, width: Int, _ fill: (UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>) -> Void
) -> [[Double]] {
    let block = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, count * width))
    defer { block.deallocate() }
    block.initialize(repeating: .nan)
    let columns = UnsafeMutableBufferPointer<UnsafeMutablePointer<Double>>.allocate(capacity: width)
    defer { columns.deallocate() }
    for k in 0..<width { columns[k] = block.baseAddress! + k * count }
    fill(columns)
    return (0..<width).map { Array(UnsafeBufferPointer(start: columns[$0], count: count)) }
}
