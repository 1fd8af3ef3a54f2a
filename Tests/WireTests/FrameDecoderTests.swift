import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
import Wire

@Suite("Frame codec")
struct FrameDecoderTests {
    @Test("frames decode the same whether bytes arrive one by one, split or coalesced")
    func verifier() throws {
        let bodies: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300), [1, 2, 3]]
        let inputs = bodies.map { body -> (ByteBuffer, [ByteBuffer]) in
            var frame = ByteBuffer()
            frame.writeInteger(UInt32(body.count))
            frame.writeBytes(body)
            return (frame, [ByteBuffer(bytes: body)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: inputs) { FrameDecoder(maxFrameBytes: 1024) }
    }

    @Test("an over-limit length is refused as soon as its 4 bytes arrive, before the body")
    func oversizeRefusedEarly() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameBytes: 1024)))
        var header = ByteBuffer()
        header.writeInteger(UInt32(1025))
        let error = #expect(throws: WireError.self) { try channel.writeInbound(header) }
        #expect(error?.code == .frameTooLarge)
        _ = try? channel.finish()
    }

    @Test("an envelope written by FrameEncoder reads back through FrameDecoder")
    func encoderDecoder() throws {
        let envelope = PB.Envelope(streamId: 9, kind: .request, method: "Diagnostics.Echo", timeoutNs: 5, payload: [1, 2])
        var buffer = ByteBuffer()
        try FrameEncoder.writeFrame(envelope, into: &buffer)
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder(maxFrameBytes: 1024)))
        try channel.writeInbound(buffer)
        let frame = try channel.readInbound(as: ByteBuffer.self)!
        #expect(try PB.Envelope(decoding: frame) == envelope)
        _ = try channel.finish()
    }
}
