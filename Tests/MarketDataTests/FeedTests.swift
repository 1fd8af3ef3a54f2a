import Foundation
import Logging
import RPC
import Testing
import TradingCore

@testable import MarketDataService

@Suite("Simulated feed")
struct SimulatedFeedTests {
    let catalog = InstrumentCatalog.standard()
    var all: [InstrumentID] { catalog.instruments.indices.map { InstrumentID(Int32($0)) } }

    func ticks(seed: UInt64, hours: Int64 = 1, only: [InstrumentID]? = nil) -> [MarketTick] {
        var market = SimulatedMarket(catalog: catalog, instruments: only ?? all, seed: seed, start: t0)
        var out: [MarketTick] = []
        market.generate(until: t0 + hours * 3_600 * second, into: &out)
        return out
    }

    @Test("the same seed gives the same ticks; another seed gives others")
    func deterministic() {
        let a = ticks(seed: 1)
        #expect(a.count > 50_000)
        #expect(a == ticks(seed: 1))
        #expect(a != ticks(seed: 2))
    }

    @Test("prices sit on the tick grid with bid < ask around them; stocks trade only in their session")
    func realistic() {
        let generated = ticks(seed: 3, hours: 30, only: [btc, eur, aapl])
        for t in generated.prefix(20_000) {
            let inst = catalog[t.instrument]
            let tick = inst.tickSize.doubleValue
            #expect(abs((t.price / tick).rounded() * tick - t.price) < tick * 1e-6, "\(inst.symbol) \(t.price)")
            #expect(t.bid < t.ask && t.bid <= t.price && t.price <= t.ask && t.size > 0)
        }
        let stock = generated.filter { catalog[$0.instrument].assetClass == .stock }
        #expect(!stock.isEmpty)
        #expect(stock.allSatisfy { catalog[$0.instrument].sessions.isOpen(at: $0.tsNs) })
        // 2024-01-02 is a Tuesday: 09:30–16:00 New York is 14:30–21:00 UTC.
        #expect(stock.allSatisfy { let m = ($0.tsNs - t0) / minute % 1440; return m >= 870 && m < 1260 })
    }

    @Test("history is the same whatever range asks for it, and each candle opens at the previous close")
    func historyIsStable() {
        let h = SimulatedHistory(instrument: catalog[btc], seed: 42)
        let whole = h.candles(btc, .m5, from: t0, to: t0 + 600 * minute)
        let second = h.candles(btc, .m5, from: t0 + 300 * minute, to: t0 + 600 * minute)
        #expect(whole.count == 120)
        #expect(Array(whole.suffix(60)) == second)
        for (a, b) in zip(whole, whole.dropFirst()) { #expect(a.close == b.open) }
        #expect(whole.allSatisfy { $0.isWellFormed })
        let hourly = h.candles(btc, .h1, from: t0, to: t0 + 600 * minute)
        #expect(hourly[0].open == whole[0].open && hourly[0].close == whole[11].close)
    }
}

@Suite("Replay files")
struct ReplayFileTests {
    let catalog = InstrumentCatalog.standard()

    @Test("times parse from epoch s/ms/µs/ns and ISO-8601", arguments: [
        ("1704153600", t0), ("1704153600.25", t0 + 250_000_000), ("1704153600000", t0), ("1704153600000000", t0),
        ("1704153600000000000", t0), ("2024-01-02", t0), ("2024-01-02T00:00:00Z", t0), ("2024-01-02 00:00:01.5", t0 + 1_500_000_000),
        ("2024-01-02T02:00:00+02:00", t0), ("2024-01-01T19:00:00-05:00", t0),
    ])
    func timestamps(text: String, expected: Int64) {
        #expect(TimestampParser.parse(Substring(text)) == expected)
    }

    @Test("malformed times are refused", arguments: ["", "yesterday", "2024-13-01", "2024-01-02T25:00", "1.2.3", "2024-01-02Tx"])
    func badTimestamps(text: String) {
        #expect(TimestampParser.parse(Substring(text)) == nil)
    }

    @Test("a candle file replayed through the engine rebuilds exactly its candles")
    func candlesRoundTrip() throws {
        let rows = (0..<30).map { i -> String in
            let o = 100 + Double(i)
            let c = i % 3 == 0 ? o - 0.5 : o + 0.75
            return "\(1_704_153_600 + i * 60),\(o),\(max(o, c) + 1),\(min(o, c) - 1),\(c),\(Double(i) + 0.5)"
        }
        let file = try ReplayFile(
            text: (["Time,Open,High,Low,Close,Volume"] + rows).joined(separator: "\n"), name: "t.csv", catalog: catalog,
            symbol: btc, timeframe: nil)
        #expect(file.timeframe == .m1)
        var e = MarketDataEngine(catalog: catalog)
        var out = EngineOutput()
        for t in file.ticks { e.ingest(t, now: t.tsNs, into: &out) }
        e.advance(to: t0 + Timeframe.d1.nanoseconds * 2, into: &out)
        let rebuilt = closed(out)
        #expect(rebuilt.count == 30)
        for (i, (c, row)) in zip(rebuilt, rows).enumerated() {
            let v = row.split(separator: ",").dropFirst().map { Double($0)! }
            #expect([c.open, c.high, c.low, c.close, c.volume] == v, "row \(i)")
        }
        #expect(e.issues.dropped == 0)
    }

    @Test("a bad cell stops the load naming its line and column; unknown symbols are named")
    func badFiles() {
        func load(_ text: String) -> MarketDataError? {
            do {
                _ = try ReplayFile(text: text, name: "f.csv", catalog: catalog, symbol: nil, timeframe: .m1)
                return nil
            } catch { return error }
        }
        let e1 = load("time,symbol,open,high,low,close\n2024-01-02,BTC/USDT,1,2,0.5,1.5\n2024-01-02T00:01,BTC/USDT,1,abc,0.5,1")
        #expect(e1?.code == .malformedFile && e1?.message.contains("line 3 column high") == true)
        let e2 = load("time,symbol,price\n2024-01-02,DOGE/USDT,1")
        #expect(e2?.code == .unknownSymbol && e2?.message.contains("DOGE/USDT") == true)
        let e3 = load("when,symbol,price\n1,BTC/USDT,1")
        #expect(e3?.message.contains("no time column") == true)
        let e4 = load("time,symbol,open,high,low,close\n2024-01-02,BTC/USDT,1,0.9,0.5,1")
        #expect(e4?.message.contains("not a candle") == true)
        #expect(load("time,symbol,price,size\n2024-01-02,BTC/USDT,100,1\n2024-01-02T00:00:01,BTC/USDT,101,2") == nil)
    }
}
