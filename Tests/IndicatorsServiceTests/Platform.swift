import Bus
import Contract
import Foundation
import Indicators
import NIOCore
import RPC
import ServiceKit
import PlatformTesting
import ServiceKitTesting
import Store
import TradingCore
import Wire

@testable import IndicatorsService

let minute: Int64 = 60_000_000_000

/// 400 one-minute BTC/USDT candles (seeded random walk) ending well before now.
let bars: [PB.Candle] = {
    var rng = SplitMix64(seed: 11)
    let t0 = (Int64(Date().timeIntervalSince1970) / 60 - 600) * minute
    var price = 40_000.0
    return (0..<400).map { i in
        let open = price
        price = (price * (1 + rng.nextGaussian() * 0.002) * 100).rounded() / 100
        return PB.Candle(
            symbol: "BTC/USDT", timeframe: .m1, openTimeNs: t0 + Int64(i) * minute, open: open,
            high: max(open, price) + (rng.nextDouble() * 20).rounded(), low: min(open, price) - (rng.nextDouble() * 20).rounded(),
            close: price, volume: (rng.nextDouble() * 50).rounded() + (i % 7 == 0 ? 0 : 1), tradeCount: 10, closed: true)
    }
}()

/// Runs the indicators service against `market` (same bus prefix); `schema` names a schema to reuse
/// across restarts (kept; the caller drops it).
func withIndicators<R: Sendable>(
    _ market: MarketSide?, schema: String? = nil, settings: IndicatorsSettings = IndicatorsSettings(),
    _ body: @Sendable (ServiceHost, IndicatorsClient) async throws -> R
) async throws -> R {
    var settings = settings
    if let market { settings.marketData = market.address }
    settings.flushInterval = .milliseconds(20)
    return try await withService("indicators", beside: market, schema: schema, build: { [settings] in try buildIndicators(configuration: $0, settings: settings) }) {
        host, client in try await body(host, IndicatorsClient(client))
    }
}

/// The last row of each output column of `spec` computed in batch over `candles`; warm-up (NaN) left out.
func expectedValues(_ specs: [String], over candles: [PB.Candle]) throws -> [String: Double] {
    let series = PriceSeries(
        open: candles.map(\.open), high: candles.map(\.high), low: candles.map(\.low), close: candles.map(\.close), volume: candles.map(\.volume))
    var out: [String: Double] = [:]
    for spec in specs {
        let indicator = try ConfiguredIndicator(parsing: spec)
        for (name, column) in zip(indicator.columnNames, indicator.compute(series)) where !column.last!.isNaN {
            out[name] = column.last!
        }
    }
    return out
}

/// Equal names, and values within TA-Lib's tolerance.
func matches(_ values: [String: Double], _ expected: [String: Double]) -> Bool {
    values.count == expected.count
        && expected.allSatisfy { name, e in values[name].map { abs($0 - e) <= 1e-9 * max(1, abs(e)) } ?? false }
}

/// The next `count` snapshots on `subscription`, or fewer when `seconds` pass.
func nextSnapshots(_ count: Int, from subscription: BusSubscription, seconds: Double = 20) async -> [PB.IndicatorSnapshot] {
    await withTaskGroup(of: [PB.IndicatorSnapshot].self) { group in
        group.addTask {
            var out: [PB.IndicatorSnapshot] = []
            for await delivery in subscription {
                guard case .message(_, let payload) = delivery, let s = try? PB.IndicatorSnapshot(decoding: payload) else { continue }
                out.append(s)
                if out.count == count { break }
            }
            return out
        }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return []
        }
        let first = await group.next()!
        if first.isEmpty && count > 0 {
            subscription.cancel()
            let rest = await group.next()!
            group.cancelAll()
            return rest
        }
        group.cancelAll()
        return first
    }
}
