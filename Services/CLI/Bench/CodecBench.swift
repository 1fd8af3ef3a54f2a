import ArgumentParser
import CWireReference
import NIOCore
import Wire

/// Encode + decode of a Tick and an Order through the generated Swift mapping, against the same
/// through protobuf-c directly in C.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "Swift messages vs plain protobuf-c.")

    @Option(help: "Iterations per measurement.")
    var iterations = 1_000_000

    func run() throws {
        let tick = PB.Tick(symbol: "BTC/USDT", tsNs: 1_700_000_000_000_000_000, price: 65_000.5, size: 0.25, bid: 65_000.4, ask: 65_000.6, aggressor: .buy, seq: 1)
        let qty = PB.Decimal(raw: 25_000_000), price = PB.Decimal(raw: 6_500_050_000_000)
        let order = PB.Order(
            id: "ord-000123", accountId: "acct-1", clientOrderId: "cl-1", symbol: "BTC/USDT", side: .buy, type: .limit, timeInForce: .gtc,
            quantity: qty, limitPrice: price, status: .filled, createdAtNs: 1_700_000_000_000_000_000, updatedAtNs: 1_700_000_000_000_000_000,
            fills: [PB.Fill(id: "f0", orderId: "ord-000123", symbol: "BTC/USDT", side: .buy, quantity: qty, price: price, tsNs: 1_700_000_000_000_000_000)])
        // Warm up both paths, then measure each twice and keep the better run (noisy 2-core machine).
        _ = try swiftNs(tick, 10_000)
        _ = tw_ref_bench_tick(10_000)
        var tickNs = Double.infinity, orderNs = Double.infinity, cTick = Double.infinity, cOrder = Double.infinity
        for _ in 0..<2 {
            tickNs = min(tickNs, try swiftNs(tick, iterations))
            cTick = min(cTick, tw_ref_bench_tick(iterations))
            orderNs = min(orderNs, try swiftNs(order, iterations / 2))
            cOrder = min(cOrder, tw_ref_bench_order(iterations / 2))
        }
        printFigures("codec", [
            ("tick_ns", tickNs), ("c_tick_ns", cTick), ("tick_ratio", tickNs / cTick),
            ("order_ns", orderNs), ("c_order_ns", cOrder), ("order_ratio", orderNs / cOrder),
            ("tick_bytes", Double(try tick.encodedBytes().count)), ("order_bytes", Double(try order.encodedBytes().count)),
        ])
    }

    /// Mean ns of encode into a reused buffer + decode, as the RPC path does.
    func swiftNs<M: ProtoMessage>(_ message: M, _ n: Int) throws -> Double {
        var buffer = ByteBufferAllocator().buffer(capacity: 4096)
        let start = nowNs()
        for _ in 0..<n {
            buffer.clear()
            try message.encode(into: &buffer)
            blackHole(try M(decoding: buffer))
        }
        return Double(nowNs() - start) / Double(n)
    }
}

/// Keeps the optimizer from dropping a value.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
