/// How the backtest, optimise and bench commands ask the C allocator to treat large blocks: a
/// block one run frees (a million-bar column, an equity curve) stays in the process for the next
/// run instead of going back to the kernel and faulting in again page by page, which on a small VM
/// costs more than the backtest's arithmetic. The process's memory then stays at its peak until it
/// ends, which is what a command that runs and exits wants.
enum ComputeMemory {
    static func keepFreedBlocks() {
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD: glibc's largest allowed on 64-bit
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
