import Testing

@testable import TradewindCLI

/// The gateway bench measures tick-to-client latency from the update's nanosecond time.
@Suite struct GatewayBenchTests {
    @Test func latencyReadsTheNanosecondTextNotTheMilliseconds() {
        let update = #"{"data":{"canonical_symbol":"BTC/USDT","change":0,"price":1,"symbol":"BTCUSDT","timestamp":1796661150193,"timestamp_ns":"1796661150193291242"},"type":"market_update"}"#
        #expect(UpdateReceiver.timestamp(in: update) == 1_796_661_150_193_291_242)
        #expect(UpdateReceiver.timestamp(in: #"{"type":"subscribed","channel":"market:BTC/USDT"}"#) == nil)
    }
}
