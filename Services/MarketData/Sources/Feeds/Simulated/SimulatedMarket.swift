import Foundation
import TradingCore

/// A seeded multi-asset market: each instrument's price follows geometric Brownian motion whose
/// drift and volatility switch between regimes (trending up, trending down, ranging, volatile),
/// quantized to the instrument's tick size, with a bid/ask spread, log-normal trade sizes and the
/// instrument's trading hours. The same seed and start give the same ticks, whatever the wall clock.
public struct SimulatedMarket: Sendable {
    /// The states the drift and volatility switch between.
    public enum Regime: Int, Sendable, CaseIterable { case trendingUp, trendingDown, ranging, volatile }

    struct Walker: Sendable {
        let id: InstrumentID
        let sessions: TradingSessions
        let tick: Double
        let spreadTicks: Double
        let stepNs: Int64
        let annualVolatility: Double
        let typicalSize: Double
        var rng: SplitMix64
        var logPrice: Double
        let anchor: Double
        var regime: Regime = .ranging
        var nextTs: Int64
        var seq: UInt64 = 0
    }

    private var walkers: [Walker]
    /// Simulated time reached so far.
    public private(set) var now: Int64
    /// Mean time a regime lasts.
    public var meanRegimeNs: Int64 = 2 * 3_600_000_000_000

    /// A market over `instruments` of `catalog`, starting at `start` (Unix ns).
    public init(catalog: InstrumentCatalog, instruments: [InstrumentID], seed: UInt64, start: Int64, stepMs: Int? = nil) {
        now = start
        walkers = instruments.map { id in
            let inst = catalog[id]
            var rng = SplitMix64(seed: seed ^ fnv1a(inst.symbol.value))
            let profile = Self.profile(inst)
            let step = Int64(stepMs ?? profile.stepMs) * 1_000_000
            let tick = max(inst.tickSize.doubleValue, 1e-8)
            let first = start + Int64(rng.nextDouble() * Double(step))
            // Live prices carry on from the simulated history, so a backfill meets the live candles.
            let startPrice = SimulatedHistory(instrument: inst, seed: seed).price(at: start)
            return Walker(
                id: id, sessions: inst.sessions, tick: tick, spreadTicks: profile.spreadTicks, stepNs: step,
                annualVolatility: profile.volatility, typicalSize: profile.size, rng: rng,
                logPrice: log(startPrice), anchor: log(startPrice), nextTs: first)
        }
    }

    /// Starting price, yearly volatility, tick spacing and spread per asset class.
    static func profile(_ i: Instrument) -> (price: Double, volatility: Double, stepMs: Int, spreadTicks: Double, size: Double) {
        let knownPrices: [String: Double] = [
            "BTC": 65_000, "ETH": 3_200, "SOL": 150, "BNB": 580, "XRP": 0.55, "EUR/USD": 1.085, "GBP/USD": 1.27, "USD/JPY": 151.5,
            "AUD/USD": 0.66, "USD/CHF": 0.88, "AAPL": 190, "MSFT": 420, "NVDA": 120, "AMZN": 180, "SPY": 520, "QQQ": 445,
        ]
        let price = knownPrices[i.symbol.value] ?? knownPrices[i.baseCurrency] ?? 100
        switch i.assetClass {
        case .crypto: return (price, 0.65, 200, 1, 1000 / price)
        case .fx: return (price, 0.08, 500, 12, 100_000)
        case .stock: return (price, 0.28, 1000, 1, 100)
        case .etf, .index: return (price, 0.17, 1000, 1, 200)
        case .commodity: return (price, 0.3, 1000, 2, 10)
        }
    }

    /// Generates every tick up to simulated time `until`, appending them in time order per instrument.
    public mutating func generate(until: Int64, into out: inout [MarketTick]) {
        let year = 365.25 * 86_400e9
        for w in walkers.indices {
            while walkers[w].nextTs <= until {
                let ts = walkers[w].nextTs
                walkers[w].nextTs = ts + max(1, Int64(Double(walkers[w].stepNs) * (0.5 + walkers[w].rng.nextDouble())))
                guard walkers[w].sessions.isOpen(at: ts) else { continue }
                step(&walkers[w], dtYears: Double(walkers[w].stepNs) / year)
                out.append(makeTick(&walkers[w], ts))
            }
        }
        if until > now { now = until }
    }

    private func step(_ w: inout Walker, dtYears: Double) {
        // Regime switching: each step ends the regime with probability step / mean duration.
        if w.rng.nextDouble() < Double(w.stepNs) / Double(meanRegimeNs) {
            w.regime = Regime(rawValue: Int(w.rng.next() % 4))!
        }
        var drift = 0.0
        var vol = w.annualVolatility
        switch w.regime {
        case .trendingUp: drift = 1.5 * w.annualVolatility
        case .trendingDown: drift = -1.5 * w.annualVolatility
        case .ranging:
            vol *= 0.6
            drift = -4 * (w.logPrice - w.anchor)
        case .volatile: vol *= 2.5
        }
        w.logPrice += (drift - vol * vol / 2) * dtYears + vol * sqrt(dtYears) * w.rng.nextGaussian()
    }

    private func makeTick(_ w: inout Walker, _ ts: Int64) -> MarketTick {
        let price = quantize(exp(w.logPrice), tick: w.tick, .toNearestOrEven)
        let half = (w.spreadTicks * (1 + w.rng.nextDouble())).rounded() / 2 * w.tick
        let bid = quantize(price - half, tick: w.tick, .down)
        let ask = max(quantize(bid + w.tick, tick: w.tick, .toNearestOrEven), quantize(price + half, tick: w.tick, .up))
        let size = w.typicalSize * exp(0.8 * w.rng.nextGaussian())
        w.seq += 1
        let aggressor: Side = w.rng.next() & 1 == 0 ? .buy : .sell
        return MarketTick(instrument: w.id, tsNs: ts, price: price, size: size, bid: bid, ask: ask, aggressor: aggressor, seq: w.seq)
    }
}

/// FNV-1a of a string's bytes: a hash that is the same in every process (Swift's `Hasher` is seeded per run).
func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
}

/// `price` on the tick grid, at least one tick. Decimal ticks (0.01) divide by their inverse so the
/// result is the double nearest the decimal price (64980.34, not 64980.340000000004).
func quantize(_ price: Double, tick: Double, _ rule: FloatingPointRoundingRule) -> Double {
    let inverse = (1 / tick).rounded()
    let steps = tick < 1 && abs(inverse * tick - 1) < 1e-12 ? (price * inverse).rounded(rule) : (price / tick).rounded(rule)
    let q = tick < 1 && abs(inverse * tick - 1) < 1e-12 ? steps / inverse : steps * tick
    return max(q, tick)
}
