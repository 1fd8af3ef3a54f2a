import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scratch memory for one encode or decode.
///
/// Encoding builds the protobuf-c struct tree (strings, arrays, sub-messages) here instead of with
/// one `malloc` per node; decoding hands protobuf-c an allocator that carves from here. The first
/// block is on the stack (`withUnsafeTemporaryAllocation`); larger messages spill into heap blocks
/// that are all released when the scope ends. Nothing in it outlives `WireArena.with`.
///
/// The value is a handle: copies refer to the same memory, and the bump state lives in a header at
/// the start of that memory, so the handle can travel through C as `allocator_data`.
public struct WireArena {
    @usableFromInline let header: UnsafeMutablePointer<Header>

    @usableFromInline struct Header {
        @usableFromInline var cursor: UnsafeMutableRawPointer
        @usableFromInline var end: UnsafeMutableRawPointer
        /// Heap blocks, each starting with the pointer to the previous one.
        @usableFromInline var spilled: UnsafeMutableRawPointer?
        /// An upper bound of the packed size of what was filled so far (see `addBound`).
        @usableFromInline var bound: Int

        @usableFromInline init(cursor: UnsafeMutableRawPointer, end: UnsafeMutableRawPointer, spilled: UnsafeMutableRawPointer?) {
            self.cursor = cursor
            self.end = end
            self.spilled = spilled
            self.bound = 0
        }
    }

    // The stack block: 1 KiB, 8-byte aligned. Above 1024 bytes (or with a larger alignment) the
    // standard library asks the runtime whether the stack has room (a costly call on Linux) or goes
    // to the heap; 1 KiB holds every fixed-size message of the contract, bigger ones spill.
    /// Smallest heap block; large messages get a block of their own size.
    static let spillBytes = 64 * 1024

    /// Runs `body` with a fresh arena and frees everything it allocated afterwards.
    @inlinable
    public static func with<R, E: Error>(_ body: (WireArena) throws(E) -> R) throws(E) -> R {
        try withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 8) { raw throws(E) -> R in
            let base = raw.baseAddress!
            let header = base.bindMemory(to: Header.self, capacity: 1)
            let start = base + MemoryLayout<Header>.stride
            header.initialize(to: Header(cursor: start, end: base + 1024, spilled: nil))
            defer { WireArena.releaseSpilled(header) }
            return try body(WireArena(header: header))
        }
    }

    @usableFromInline init(header: UnsafeMutablePointer<Header>) { self.header = header }

    @usableFromInline static func releaseSpilled(_ header: UnsafeMutablePointer<Header>) {
        var block = header.pointee.spilled
        while let b = block {
            block = b.load(as: UnsafeMutableRawPointer?.self)
            free(b)
        }
    }

    /// Adds to the packed-size bound. Generated `_fill` code adds 15 bytes per singular field (a tag
    /// is at most 5 bytes, a varint at most 10) and per repeated element; `cString`, `binary` and
    /// `message` add their own length and prefix. Encoding reserves this much and packs once,
    /// instead of walking the message twice (`get_packed_size`, then `pack`).
    @inlinable
    public func addBound(_ bytes: Int) {
        header.pointee.bound &+= bytes
    }

    /// The packed-size bound accumulated so far.
    @inlinable
    public var bound: Int { header.pointee.bound }

    /// `size` bytes aligned to 8 (every protobuf-c field needs at most 8).
    @inlinable
    public func allocate(bytes size: Int) -> UnsafeMutableRawPointer {
        let aligned = (size + 7) & ~7
        let p = header.pointee.cursor
        if aligned <= header.pointee.end - p {
            header.pointee.cursor = p + aligned
            return p
        }
        return spill(aligned)
    }

    @usableFromInline func spill(_ size: Int) -> UnsafeMutableRawPointer {
        let link = 16
        let blockSize = max(Self.spillBytes, size + link)
        guard let block = malloc(blockSize) else { fatalError("WireArena: out of memory allocating \(blockSize) bytes") }
        block.storeBytes(of: header.pointee.spilled, as: UnsafeMutableRawPointer?.self)
        header.pointee.spilled = block
        let p = block + link
        header.pointee.cursor = p + size
        header.pointee.end = block + blockSize
        return p
    }

    /// Uninitialized room for `count` values of `type`.
    @inlinable
    public func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(bytes: MemoryLayout<T>.stride * count).bindMemory(to: T.self, capacity: count)
    }

    /// A copy of `values` (trivial element types only: numbers).
    @inlinable
    public func copy<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { src in
            p.initialize(from: src.baseAddress!, count: src.count)
        }
        return p
    }

    /// A NUL-terminated copy of `string`; a string holding a NUL byte is refused, because protobuf-c
    /// would silently cut it there.
    @inlinable
    public func cString(_ string: String, field: StaticString) throws(WireError) -> UnsafeMutablePointer<CChar> {
        if let p = string.utf8.withContiguousStorageIfAvailable({ copyCString($0) }) {
            guard let p else { throw Self.nulError(field) }
            return p
        }
        guard let p = Array(string.utf8).withUnsafeBufferPointer({ copyCString($0) }) else { throw Self.nulError(field) }
        return p
    }

    @usableFromInline func copyCString(_ utf8: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar>? {
        let n = utf8.count
        addBound(n + 15)
        let p = allocate(bytes: n + 1).bindMemory(to: UInt8.self, capacity: n + 1)
        if n <= 32 {
            // Ids and symbols: one branch-free pass that copies and watches for a NUL, ~1.5 ns a
            // string cheaper than the two libc calls below.
            var nuls: UInt8 = 0
            for i in 0..<n {
                let byte = utf8[i]
                p[i] = byte
                nuls |= byte == 0 ? 1 : 0
            }
            if nuls != 0 { return nil }
        } else {
            if memchr(utf8.baseAddress!, 0, n) != nil { return nil }
            memcpy(p, utf8.baseAddress!, n)
        }
        p[n] = 0
        return UnsafeMutableRawPointer(p).assumingMemoryBound(to: CChar.self)
    }

    @usableFromInline static func nulError(_ field: StaticString) -> WireError {
        WireError(code: .nulInString, message: "\(field) contains a NUL byte; send such data as a bytes field")
    }

    /// protobuf-c's view of `bytes`, copied into the arena.
    @inlinable
    public func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        addBound(bytes.count + 15)
        return ProtobufCBinaryData(len: bytes.count, data: bytes.isEmpty ? nil : copy(bytes))
    }

    /// A protobuf-c struct for `message`, filled in.
    @inlinable
    public func message<M: ProtoMessage>(_ message: M) throws(WireError) -> UnsafeMutablePointer<M.CMessage> {
        let c = allocate(M.CMessage.self, count: 1)
        M._cInit(c)
        addBound(15)
        try message._fill(c, self)
        return c
    }

    /// A protobuf-c allocator that carves from this arena. Its `free` does nothing: the arena is
    /// released as a whole, which is also what makes decoding cheap.
    @usableFromInline var allocator: ProtobufCAllocator {
        ProtobufCAllocator(alloc: wireArenaAlloc, free: wireArenaFree, allocator_data: UnsafeMutableRawPointer(header))
    }
}

@usableFromInline let wireArenaAlloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { data, size in
    WireArena(header: data!.assumingMemoryBound(to: WireArena.Header.self)).allocate(bytes: size)
}

@usableFromInline let wireArenaFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, _ in }
