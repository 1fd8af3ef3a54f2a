extension Array {
    /// Consecutive slices of at most `size` elements: how multi-row statements stay under
    /// Postgres's limit of 65535 bound parameters.
    public func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
