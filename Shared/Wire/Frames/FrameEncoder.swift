import NIOCore

/// Writes envelopes as frames: a 4-byte big-endian length, then the envelope encoded by protobuf-c
/// straight into the outbound buffer (the RPC connections batch them with `FrameWriter`).
public enum FrameEncoder {
    /// Appends `envelope` as one frame to `buffer`. When it cannot be encoded (a string with a
    /// NUL byte), nothing is appended: a length prefix left behind would read as an empty frame and
    /// desynchronise the connection.
    @inlinable
    public static func writeFrame(_ envelope: PB.Envelope, into buffer: inout ByteBuffer) throws(WireError) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        do {
            let length = try envelope.encode(into: &buffer)
            buffer.setInteger(UInt32(length), at: start)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }
}
