import NIOCore

/// Writes each outbound `PB.Envelope` as one frame: a 4-byte big-endian length, then the envelope
/// encoded by protobuf-c straight into the outbound buffer.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = PB.Envelope

    public init() {}

    public func encode(data: PB.Envelope, out: inout ByteBuffer) throws {
        try Self.writeFrame(data, into: &out)
    }

    /// Appends `envelope` as one frame to `buffer`.
    @inlinable
    public static func writeFrame(_ envelope: PB.Envelope, into buffer: inout ByteBuffer) throws(WireError) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        let length = try envelope.encode(into: &buffer)
        buffer.setInteger(UInt32(length), at: start)
    }
}
