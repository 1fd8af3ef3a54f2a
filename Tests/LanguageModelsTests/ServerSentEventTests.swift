import LanguageModels
import Testing

/// The event-stream reader against the WHATWG rules, bytes split anywhere.
@Suite struct ServerSentEventTests {
    @Test func linesEventsCommentsAndContinuations() {
        var reader = ServerSentEventReader()
        let text = ": keep-alive\r\nevent: ping\r\ndata: {\"a\":1}\r\n\r\ndata:no space\ndata:  two spaces\n\nevent: x\rdata: cr\r\r"
        var events: [ServerSentEventReader.Event] = []
        for byte in Array(text.utf8) { events += reader.feed([byte]) }
        #expect(events.map(\.name) == ["ping", "message", "x"])
        #expect(events.map(\.data) == ["{\"a\":1}", "no space\n two spaces", "cr"])
    }

    @Test func multibyteCharactersSplitBetweenWrites() {
        var reader = ServerSentEventReader()
        let bytes = Array("data: wörld €\n\n".utf8)
        var events = reader.feed(bytes[..<8])  // inside the ö
        events += reader.feed(bytes[8...])
        #expect(events.map(\.data) == ["wörld €"])
    }

    @Test func anEventWithoutDataIsNotDispatched() {
        var reader = ServerSentEventReader()
        #expect(reader.feed(Array("event: nothing\n\n: c\n\n".utf8)).isEmpty)
    }
}
