/// `[fromNs, toNs)` in Unix nanoseconds; `toNs` 0 leaves it open-ended.
struct TimeWindow: Sendable, Hashable {
    var fromNs: Int64
    var toNs: Int64
}
