import CProtobufC

/// Conversions from protobuf-c's C representation, used by the generated `_merge(_cMessage:)`.
public enum WireDecoding {
    /// A Swift string from a protobuf-c string; bytes that are not UTF-8 are refused (proto3 strings
    /// must be UTF-8, and protobuf-c does not check).
    @inlinable
    public static func string(_ p: UnsafeMutablePointer<CChar>?, field: StaticString) throws(WireError) -> String {
        guard let p, p.pointee != 0 else { return "" }
        guard let s = String(validatingCString: p) else {
            throw WireError(code: .invalidUTF8, message: "\(field) is not valid UTF-8")
        }
        return s
    }

    /// The bytes of a protobuf-c bytes field.
    @inlinable
    public static func bytes(_ b: ProtobufCBinaryData) -> [UInt8] {
        guard b.len > 0, let data = b.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: b.len))
    }

    /// A pointer protobuf-c guarantees after a successful unpack (array and element pointers of a
    /// non-empty repeated field, a set oneof member).
    @inlinable
    public static func present<T>(_ p: UnsafeMutablePointer<T>?, field: StaticString) -> UnsafeMutablePointer<T> {
        guard let p else { preconditionFailure("protobuf-c left \(field) NULL after a successful unpack") }
        return p
    }
}
