import Foundation
import TradingCore

/// Deterministic history for the simulated feed, so `Backfill` works offline.
///
/// The price is a pure function of time: P(t) = P₀ · exp(σ · Σₖ aₖ · noise(t / Lₖ)), a sum of smooth
/// value-noise octaves with wavelengths from one minute to about 45 days. A candle is then
/// [P(start), max, min, P(end)] over samples within its period, so any range can be asked for in
/// any order and the same candle always comes back (backfill is idempotent), consecutive candles
/// join (each opens at the previous close), and candles of different timeframes agree on open and close.
struct SimulatedHistory: Sendable {
    let seed: UInt64
    let basePrice: Double
    let volatility: Double
    let typicalVolumePerMinute: Double
    let tick: Double
    let sessions: TradingSessions

    init(instrument: Instrument, seed: UInt64) {
        let profile = SimulatedMarket.profile(instrument)
        self.seed = seed ^ fnv1a(instrument.symbol.value) ^ 0x5EED_0F_C0FFEE
        basePrice = profile.price
        // Noise amplitude in log-price: about a year's volatility spread over the slow octaves.
        volatility = profile.volatility * 0.35
        typicalVolumePerMinute = profile.size * 60_000 / Double(profile.stepMs)
        tick = max(instrument.tickSize.doubleValue, 1e-8)
        self.sessions = instrument.sessions
    }

    func price(at ns: Int64) -> Double {
        let minutes = Double(ns) / 60e9
        var sum = 0.0
        var wavelength = 1.0
        var amplitude = 0.004
        for octave in 0..<16 {
            sum += amplitude * noise(minutes / wavelength, octave: UInt64(octave))
            wavelength *= 2
            amplitude *= 1.41
        }
        let p = basePrice * exp(volatility * sum)
        return quantize(p, tick: tick, .toNearestOrEven)
    }

    /// Smooth noise in [-1, 1]: hashed values at integer points, joined by a smoothstep.
    private func noise(_ x: Double, octave: UInt64) -> Double {
        let i = x.rounded(.down)
        let f = x - i
        let k = Int64(i)
        let a = lattice(k, octave)
        let b = lattice(k + 1, octave)
        let s = f * f * (3 - 2 * f)
        return a + (b - a) * s
    }

    private func lattice(_ k: Int64, _ octave: UInt64) -> Double {
        var rng = SplitMix64(seed: seed ^ (UInt64(bitPattern: k) &* 0x9E37_79B9_7F4A_7C15) ^ (octave << 56))
        return rng.nextDouble() * 2 - 1
    }

    /// The candles of `[from, to)` (aligned to the timeframe), skipping periods outside trading hours.
    func candles(_ id: InstrumentID, _ tf: Timeframe, from: Int64, to: Int64) -> [CandleState] {
        var out: [CandleState] = []
        var start = sessions.period(tf, containing: from).start
        if start < from { start = sessions.period(tf, containing: start).end }
        let samples = 16
        while start < to {
            let end = sessions.period(tf, containing: start).end
            defer { start = end }
            if !sessions.trades(during: start, end) { continue }
            let open = price(at: start)
            let close = price(at: end)
            var high = max(open, close)
            var low = min(open, close)
            for s in 1..<samples {
                let p = price(at: start + (end - start) / Int64(samples) * Int64(s))
                high = max(high, p)
                low = min(low, p)
            }
            var rng = SplitMix64(seed: seed ^ UInt64(bitPattern: start))
            let volume = typicalVolumePerMinute * Double((end - start) / 60_000_000_000) * exp(0.5 * rng.nextGaussian())
            out.append(CandleState(
                instrument: id, timeframe: tf, openTime: start, periodEnd: end, open: open, high: high, low: low, close: close,
                volume: volume, tradeCount: UInt32(min(Double(UInt32.max), Double(end - start) / 1e9))))
        }
        return out
    }
}
