import Testing
import TradingCore

@testable import MarketDataService

let minute: Int64 = 60_000_000_000
let second: Int64 = 1_000_000_000
/// 2024-01-02 00:00:00 UTC, a Tuesday.
let t0: Int64 = 1_704_153_600 * second

func engine(_ rules: CandleRules = CandleRules()) -> MarketDataEngine {
    MarketDataEngine(catalog: .standard(), rules: rules)
}

let btc = InstrumentCatalog.standard().id(of: "BTC/USDT")!
let eur = InstrumentCatalog.standard().id(of: "EUR/USD")!
let aapl = InstrumentCatalog.standard().id(of: "AAPL")!

func trade(_ ts: Int64, _ price: Double, _ size: Double = 1, seq: UInt64 = 0, _ id: InstrumentID = btc) -> MarketTick {
    MarketTick(instrument: id, tsNs: ts, price: price, size: size, seq: seq)
}

func closed(_ out: EngineOutput, _ tf: Timeframe = .m1) -> [CandleState] {
    out.candles.filter { $0.kind == .closed && $0.candle.timeframe == tf }.map(\.candle)
}

@Suite("Candle engine")
struct EngineTests {
    @Test("ticks make OHLCV candles that close when a later period's tick arrives, with no candle for an empty minute")
    func buildsCandles() {
        var e = engine()
        var out = EngineOutput()
        for (ts, p) in [(t0 + 1 * second, 100.0), (t0 + 20 * second, 104), (t0 + 40 * second, 98), (t0 + 59 * second, 101),
                        (t0 + 3 * minute, 105)] {
            e.ingest(trade(ts, p), now: ts, into: &out)
        }
        let candles = closed(out)
        #expect(candles.count == 1)
        let c = candles[0]
        #expect(c.openTime == t0 && c.periodEnd == t0 + minute)
        #expect([c.open, c.high, c.low, c.close, c.volume] == [100, 104, 98, 101, 4])
        #expect(c.tradeCount == 4)
        #expect(e.formingCandle(btc, .m1)?.openTime == t0 + 3 * minute)
        #expect(e.formingCandle(btc, .h1)?.openTime == t0)
    }

    @Test("advancing the clock past a period's end closes its candle; before it, nothing closes")
    func closesByTime() {
        var e = engine()
        var out = EngineOutput()
        e.ingest(trade(t0 + 5 * second, 100), now: t0 + 5 * second, into: &out)
        e.advance(to: t0 + minute - 1, into: &out)
        #expect(closed(out).isEmpty)
        e.advance(to: t0 + minute, into: &out)
        #expect(closed(out).map(\.openTime) == [t0])
        #expect(e.formingCandle(btc, .m1) == nil)
        #expect(e.formingCandle(btc, .m5) != nil)
    }

    @Test("a late tick within the grace corrects the closed candle; after the grace it is dropped as late and history stays")
    func lateTicks() {
        var rules = CandleRules()
        rules.graceNs = 5 * second
        var e = engine(rules)
        var out = EngineOutput()
        e.ingest(trade(t0 + 10 * second, 100), now: t0 + 10 * second, into: &out)
        e.advance(to: t0 + minute + 2 * second, into: &out)
        out.removeAll()
        #expect(e.ingest(trade(t0 + 50 * second, 110, 2), now: t0 + minute + 3 * second, into: &out) == nil)
        let corrections = out.candles.filter { $0.kind == .correction && $0.candle.timeframe == .m1 }.map(\.candle)
        #expect(corrections.count == 1)
        #expect(corrections.first.map { [$0.open, $0.high, $0.close, $0.volume] } == [100, 110, 110, 3])
        e.advance(to: t0 + minute + 6 * second, into: &out)
        out.removeAll()
        #expect(e.ingest(trade(t0 + 55 * second, 90), now: t0 + minute + 6 * second, into: &out) == .late)
        #expect(out.isEmpty)
        #expect(e.issues[.late] == 1)
    }

    @Test("out-of-order ticks inside a forming candle set open and close by their timestamps, not arrival")
    func outOfOrderInsideCandle() {
        var e = engine()
        var out = EngineOutput()
        e.ingest(trade(t0 + 30 * second, 100), now: t0 + 30 * second, into: &out)
        #expect(e.ingest(trade(t0 + 10 * second, 95), now: t0 + 30 * second, into: &out) == .outOfOrder)
        e.ingest(trade(t0 + 50 * second, 102), now: t0 + 50 * second, into: &out)
        #expect(e.ingest(trade(t0 + 40 * second, 99), now: t0 + 50 * second, into: &out) == .outOfOrder)
        let c = e.formingCandle(btc, .m1)!
        #expect([c.open, c.high, c.low, c.close] == [95, 102, 95, 102])
        #expect(e.issues[.outOfOrder] == 2)
    }

    @Test("repeated sequence numbers and exact repeats are dropped as duplicates")
    func duplicates() {
        var e = engine()
        var out = EngineOutput()
        e.ingest(trade(t0 + second, 100, seq: 7), now: t0 + second, into: &out)
        #expect(e.ingest(trade(t0 + 2 * second, 101, seq: 7), now: t0 + 2 * second, into: &out) == .duplicate)
        #expect(e.ingest(trade(t0 + 2 * second, 101, seq: 5), now: t0 + 2 * second, into: &out) == .duplicate)
        e.ingest(trade(t0 + 3 * second, 101), now: t0 + 3 * second, into: &out)
        #expect(e.ingest(trade(t0 + 3 * second, 101), now: t0 + 3 * second, into: &out) == .duplicate)
        #expect(e.formingCandle(btc, .m1)?.tradeCount == 2)
        #expect(e.issues[.duplicate] == 3)
        #expect(out.ticks.count == 2)
    }

    @Test("bad values follow their rule: bad trades dropped, crossed quotes lose the quote only, far-future ticks dropped")
    func badValues() {
        var e = engine()
        var out = EngineOutput()
        let now = t0 + second
        #expect(e.ingest(trade(now, .nan), now: now, into: &out) == .invalidPrice)
        #expect(e.ingest(trade(now, -5), now: now, into: &out) == .invalidPrice)
        #expect(e.ingest(trade(now, 100, -1), now: now, into: &out) == .invalidSize)
        #expect(e.ingest(trade(now, 100, .infinity), now: now, into: &out) == .invalidSize)
        var crossed = trade(now, 100)
        crossed.bid = 101
        crossed.ask = 100
        #expect(e.ingest(crossed, now: now, into: &out) == .invalidQuote)
        #expect(out.ticks.last.map { [$0.price, $0.bid, $0.ask] } == [100, 0, 0])
        #expect(e.ingest(MarketTick(instrument: btc, tsNs: now, bid: 5, ask: 4), now: now, into: &out) == .invalidQuote)
        #expect(e.ingest(trade(now + 10 * second, 100), now: now, into: &out) == .clockSkew)
        #expect(out.ticks.count == 1)
        #expect(e.issues.dropped == 5 && e.issues[.invalidQuote] == 2)
        #expect(e.formingCandle(btc, .m1)?.tradeCount == 1)
    }

    @Test("every higher timeframe equals its 1m candles aggregated, on random ticks")
    func timeframesAgree() {
        var e = engine()
        var out = EngineOutput()
        var rng = SplitMix64(seed: 9)
        var ts = t0
        var price = 100.0
        for _ in 0..<20_000 {
            ts += Int64(rng.nextDouble() * 3 * Double(second)) + 1
            price = max(1, price + rng.nextGaussian())
            e.ingest(trade(ts, price, rng.nextDouble()), now: ts, into: &out)
        }
        e.advance(to: ts + Timeframe.d1.nanoseconds, into: &out)
        let ones = closed(out, .m1)
        for tf in [Timeframe.m5, .m15, .h1, .h4] {
            for big in closed(out, tf) {
                let parts = ones.filter { $0.openTime >= big.openTime && $0.openTime < big.periodEnd }
                #expect(big.open == parts.first!.open && big.close == parts.last!.close)
                #expect(big.high == parts.map(\.high).max()! && big.low == parts.map(\.low).min()!)
                #expect(big.tradeCount == parts.map(\.tradeCount).reduce(0, +))
                #expect(abs(big.volume - parts.map(\.volume).reduce(0, +)) < 1e-9)
            }
        }
    }

    @Test("a New York stock's daily candle runs from New York midnight to midnight, across a DST change")
    func sessionDays() {
        var e = engine()
        var out = EngineOutput()
        // 2024-03-08 15:00 UTC (10:00 EST) and 2024-03-11 14:00 UTC (10:00 EDT).
        let friday: Int64 = 1_709_910_000 * second
        let monday: Int64 = 1_710_165_600 * second
        e.ingest(trade(friday, 170, 1, aapl), now: friday, into: &out)
        #expect(e.formingCandle(aapl, .d1)?.openTime == 1_709_874_000 * second)  // 05:00 UTC = midnight EST
        e.ingest(trade(monday, 172, 1, aapl), now: monday, into: &out)
        let day = e.formingCandle(aapl, .d1)!
        #expect(day.openTime == 1_710_129_600 * second)  // 04:00 UTC = midnight EDT
        #expect(day.periodEnd - day.openTime == 24 * 60 * minute)
        #expect(e.formingCandle(btc, .d1) == nil)
    }

    @Test("FX candles are built from the mid of quote updates")
    func fxFromQuotes() {
        var e = engine()
        var out = EngineOutput()
        e.ingest(MarketTick(instrument: eur, tsNs: t0 + second, bid: 1.0850, ask: 1.0852), now: t0 + second, into: &out)
        e.ingest(MarketTick(instrument: eur, tsNs: t0 + 2 * second, bid: 1.0860, ask: 1.0862), now: t0 + 2 * second, into: &out)
        let c = e.formingCandle(eur, .m1)!
        #expect(abs(c.open - 1.0851) < 1e-12 && abs(c.close - 1.0861) < 1e-12 && c.volume == 0)
        let q = e.quotes[eur.index].snapshot(symbol: "EUR/USD")
        #expect(q.bid == 1.0860 && q.ask == 1.0862)
    }

    @Test("the 24-hour figures cover the last day of trades")
    func dayFigures() {
        var q = QuoteState()
        q.trade(tsNs: t0, price: 100, size: 2)
        q.trade(tsNs: t0 + 3 * 3_600 * second, price: 120, size: 1)
        q.trade(tsNs: t0 + 25 * 3_600 * second, price: 110, size: 5)
        let s = q.snapshot(symbol: "X")
        #expect(s.last == 110)
        #expect(s.change24h == -10 && s.high24h == 120 && s.low24h == 110 && s.volume24h == 6)
    }
}
