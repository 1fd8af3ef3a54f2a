import Bus
import Contract
import Foundation
import Indicators
import RPC
import ServiceKit
import PlatformTesting
import ServiceKitTesting
import Store
import Testing
import Wire

@testable import IndicatorsService

let specs = ["rsi:14", "macd:12,26,9", "bbands:20,2,2", "obv"]
let wireSpecs = try! specs.map { text in
    let s = try IndicatorSpec(parsing: text)
    return PB.IndicatorSpec(name: s.name, parameters: s.parameters)
}

func rpcCode(_ body: () async throws -> Void) async -> (RPCError.Code, String)? {
    do {
        try await body()
        return nil
    } catch let e as RPCError {
        return (e.code, e.message)
    } catch {
        return (.unknown, "\(error)")
    }
}

@Suite("indicators service", .serialized)
struct ServiceTests {
    @Test("ComputeSeries equals the library's batch over market-data's candles; the catalogue is listed; bad requests get clear errors")
    func computeSeries() async throws {
        try await withMarketSide { market in
            try await market.deliver(Array(bars.prefix(300)), publish: false)
            try await withIndicators(market) { _, ind in
                let range = PB.TimeRange(fromNs: bars[0].openTimeNs, toNs: bars[300].openTimeNs)
                let r = try await ind.computeSeries(PB.ComputeSeriesRequest(
                    symbol: "BTC/USDT", timeframe: .m1, range: range, indicator: PB.IndicatorSpec(name: "MACD", parameters: [12, 26, 9])))
                #expect(r.openTimesNs == bars.prefix(300).map(\.openTimeNs))
                #expect(r.columns.map(\.name) == ["macd_12_26_9_macd", "macd_12_26_9_signal", "macd_12_26_9_hist"])
                let series = PriceSeries(bars: bars.prefix(300).map(\.bar))
                let expected = try ConfiguredIndicator(parsing: "macd:12,26,9").compute(series)
                for (column, want) in zip(r.columns, expected) {
                    #expect(column.values.count == 300)
                    #expect(zip(column.values, want).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 })
                }
                #expect(r.columns[0].values.firstIndex { !$0.isNaN } == 33)

                let catalogue = try await ind.listIndicators(PB.Empty()).indicators
                #expect(catalogue.count == IndicatorCatalog.all.count && catalogue.count >= 50)
                let macd = try #require(catalogue.first { $0.name == "macd" })
                #expect(macd.outputs == ["macd", "signal", "hist"] && macd.parameters.map(\.defaultValue) == [12, 26, 9])
                #expect(catalogue.first { $0.name == "rsi" }?.outputs == ["value"])

                let unknown = await rpcCode {
                    _ = try await ind.computeSeries(PB.ComputeSeriesRequest(symbol: "BTC/USDT", timeframe: .m1, range: range, indicator: PB.IndicatorSpec(name: "nope")))
                }
                #expect(unknown?.0 == .invalidArgument && unknown?.1.contains("indicators.unknown_indicator") == true)
                let badParameter = await rpcCode {
                    _ = try await ind.computeSeries(PB.ComputeSeriesRequest(symbol: "BTC/USDT", timeframe: .m1, range: range, indicator: PB.IndicatorSpec(name: "rsi", parameters: [1])))
                }
                #expect(badParameter?.0 == .invalidArgument && badParameter?.1.contains("period") == true)
                let noTimeframe = await rpcCode {
                    _ = try await ind.computeSeries(PB.ComputeSeriesRequest(symbol: "BTC/USDT", range: range, indicator: PB.IndicatorSpec(name: "rsi")))
                }
                #expect(noTimeframe?.0 == .invalidArgument)
                let unknownSymbol = await rpcCode {
                    _ = try await ind.computeSeries(PB.ComputeSeriesRequest(symbol: "NOPE/USD", timeframe: .m1, range: range, indicator: PB.IndicatorSpec(name: "rsi")))
                }
                #expect(unknownSymbol?.0 == .notFound && unknownSymbol?.1.hasPrefix("market-data: marketdata.unknown_symbol") == true)
            }
        }
    }

    @Test("a set warms up from history, then turns live closed candles and corrections into snapshots on the bus, in StreamSnapshots and Latest")
    func liveSnapshots() async throws {
        try await withMarketSide { market in
            try await market.deliver(Array(bars.prefix(200)), publish: false)
            try await withIndicators(market) { host, ind in
                let set = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: "BTC/USDT", timeframe: .m1, indicators: wireSpecs))
                #expect(set.symbol == "BTC/USDT" && set.indicators.count == 4 && !set.id.isEmpty)
                // Warm-up replayed the 200 stored bars: values are there before any live bar.
                let warm = try await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1))
                #expect(warm.openTimeNs == bars[199].openTimeNs && warm.close == bars[199].close)
                #expect(matches(warm.values, try expectedValues(specs, over: Array(bars.prefix(200)))))

                let sub = try host.resources.bus!.subscribe(channels: [BusChannel.indicators("1m", "BTC/USDT")])
                try await sub.waitUntilSubscribed()
                let stream = ind.streamSnapshots(PB.StreamSnapshotsRequest(symbol: "BTC/USDT", timeframe: .m1))
                var streamed = stream.makeAsyncIterator()
                #expect(try await streamed.next()?.openTimeNs == bars[199].openTimeNs)

                // Live: five closed bars (a forming one is ignored).
                var forming = bars[200]
                forming.closed = false
                _ = try market.bus.publish(BusChannel.candle("1m", "BTC/USDT"), forming)
                try await market.deliver(Array(bars[200..<205]))
                let live = await nextSnapshots(5, from: sub)
                #expect(live.map(\.openTimeNs) == bars[200..<205].map(\.openTimeNs))
                for (i, s) in live.enumerated() {
                    #expect(matches(s.values, try expectedValues(specs, over: Array(bars.prefix(201 + i)))))
                }
                for i in 200..<205 { #expect(try await streamed.next()?.openTimeNs == bars[i].openTimeNs) }

                // A late tick corrected the last bar: its snapshot is recomputed from the state before it.
                var corrected = bars[204]
                corrected.close += 35
                corrected.high = max(corrected.high, corrected.close)
                corrected.correction = true
                try await market.deliver([corrected])
                let fixed = await nextSnapshots(1, from: sub)
                #expect(fixed.first?.openTimeNs == bars[204].openTimeNs && fixed.first?.close == corrected.close && fixed.first?.correction == true)
                #expect(live.allSatisfy { !$0.correction })
                let correctedSeries = Array(bars.prefix(204)) + [corrected]
                #expect(fixed.first.map { matches($0.values, try! expectedValues(specs, over: correctedSeries)) } == true)
                #expect(try await streamed.next()?.close == corrected.close)
                #expect(try await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1)).close == corrected.close)
                // A repeat of a bar already applied (not flagged as a correction) changes nothing.
                try await market.deliver([bars[203]])
                try await market.deliver([bars[205]])
                let next = await nextSnapshots(1, from: sub)
                #expect(next.map(\.openTimeNs) == [bars[205].openTimeNs])
                #expect(next.first.map { matches($0.values, try! expectedValues(specs, over: correctedSeries + [bars[205]])) } == true)
                sub.cancel()

                // Sets are listed and deleted; errors name what is wrong.
                let listed = try await ind.listIndicatorSets(PB.ListIndicatorSetsRequest(symbol: "BTC/USDT"))
                #expect(listed.sets.map(\.id) == [set.id] && listed.sets[0].indicators == set.indicators)
                #expect(try await ind.listIndicatorSets(PB.ListIndicatorSetsRequest(symbol: "ETH/USDT")).sets.isEmpty)
                _ = try await ind.deleteIndicatorSet(PB.DeleteIndicatorSetRequest(id: set.id))
                #expect(try await ind.listIndicatorSets(PB.ListIndicatorSetsRequest()).sets.isEmpty)
                #expect(await rpcCode { _ = try await ind.deleteIndicatorSet(PB.DeleteIndicatorSetRequest(id: set.id)) }?.0 == .notFound)
                #expect(await rpcCode { _ = try await ind.deleteIndicatorSet(PB.DeleteIndicatorSetRequest(id: "x'; drop")) }?.0 == .invalidArgument)
                let empty = await rpcCode {
                    _ = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: "BTC/USDT", timeframe: .m1))
                }
                #expect(empty?.0 == .invalidArgument)
                let badSpec = await rpcCode {
                    _ = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(
                        symbol: "BTC/USDT", timeframe: .m1, indicators: [PB.IndicatorSpec(name: "rsi"), PB.IndicatorSpec(name: "sma", parameters: [20, 3])]))
                }
                #expect(badSpec?.0 == .invalidArgument && badSpec?.1.contains("indicators[1]") == true)
                let unknownSymbol = await rpcCode {
                    _ = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: "NOPE", timeframe: .m1, indicators: wireSpecs))
                }
                #expect(unknownSymbol?.0 == .notFound)
                #expect(await rpcCode { _ = try await ind.latest(PB.LatestRequest(symbol: "ETH/USDT", timeframe: .m1)) }?.0 == .notFound)
            }
        }
    }

    @Test("after a restart, warm-up replays market-data's history from the set's anchor: values continue exactly, missed bars are stored")
    func restartContinuity() async throws {
        let schema = TestEnvironment.uniqueName("t")
        defer { Task { await ServiceHarness.dropSchema(schema) } }
        try await withMarketSide { market in
            try await market.deliver(Array(bars.prefix(100)), publish: false)
            var settings = IndicatorsSettings()
            settings.warmupBars = 60  // the anchor is bar 40: cumulative OBV counts from there
            let anchored = Array(bars[40...])
            try await withIndicators(market, schema: schema, settings: settings) { _, ind in
                _ = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: "BTC/USDT", timeframe: .m1, indicators: wireSpecs))
                try await market.deliver(Array(bars[100..<130]))
                #expect(try await eventually { (try? await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1)))?.openTimeNs == bars[129].openTimeNs })
                let before = try await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1))
                #expect(matches(before.values, try expectedValues(specs, over: Array(anchored.prefix(90)))))
            }
            // The host stopped gracefully: its writer stored bars 40...129 on the way out. Bars close
            // while the service is down.
            try await market.deliver(Array(bars[130..<150]))
            try await withIndicators(market, schema: schema, settings: settings) { host, ind in
                #expect(try await eventually { (try? await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1)))?.openTimeNs == bars[149].openTimeNs })
                let warm = try await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1))
                #expect(matches(warm.values, try expectedValues(specs, over: Array(anchored.prefix(110)))))
                let sub = try host.resources.bus!.subscribe(channels: [BusChannel.indicators("1m", "BTC/USDT")])
                try await sub.waitUntilSubscribed()
                try await market.deliver([bars[150]])
                let live = await nextSnapshots(1, from: sub)
                #expect(live.first.map { matches($0.values, try! expectedValues(specs, over: Array(anchored.prefix(111)))) } == true)
                sub.cancel()
                // Every bar from the anchor has its snapshot stored: the first warm-up, live bars, the
                // bars missed while down, and the new one.
                let store = host.resources.store!
                #expect(try await eventually { try await store.query("SELECT count(*) FROM snapshots")[0].decode(Int.self, at: 0) == 111 })
            }
        }
    }

    @Test("without market-data the service answers what it can and `unavailable` for the rest")
    func withoutMarketData() async throws {
        try await withIndicators(nil) { (_: ServiceHost, ind: IndicatorsClient) async throws -> Void in
            #expect(try await ind.listIndicators(PB.Empty()).indicators.count == IndicatorCatalog.all.count)
            let create = await rpcCode {
                _ = try await ind.createIndicatorSet(PB.CreateIndicatorSetRequest(symbol: "BTC/USDT", timeframe: .m1, indicators: wireSpecs))
            }
            #expect(create?.0 == .unavailable && create?.1.contains("peers.market_data") == true)
            #expect(await rpcCode { _ = try await ind.latest(PB.LatestRequest(symbol: "BTC/USDT", timeframe: .m1)) }?.0 == .notFound)
        }
    }

    @Test("settings: defaults, every key read, bad values name their key")
    func settings() throws {
        let values = try ConfigValues(
            known: IndicatorsSettings.keys, environment: ["TRADEWIND_PEERS_MARKET_DATA": "10.0.0.5:7002"],
            arguments: ["--warmup.bars=250", "--warmup.backfill=false", "--compute.max_bars=5000", "--snapshots.retention_days=0"])
        let s = try IndicatorsSettings.read(values)
        #expect(s.marketData == PeerAddress(host: "10.0.0.5", port: 7002, name: "market-data"))
        #expect(s.warmupBars == 250 && !s.backfillOnCreate && s.maxComputeBars == 5000 && s.snapshotRetentionDays == 0)
        #expect(IndicatorsSettings().marketData == nil && IndicatorsSettings().warmupBars == 1000)
        #expect(PeerAddress(parsing: "[::1]:7002") == PeerAddress(host: "::1", port: 7002))
        for (key, bad) in [("peers.market_data", "localhost"), ("peers.market_data", "h:99999"), ("warmup.bars", "-1"), ("compute.max_bars", "x")] {
            let v = try ConfigValues(known: IndicatorsSettings.keys, environment: [:], arguments: ["--\(key)=\(bad)"])
            #expect(throws: ConfigError.self) { try IndicatorsSettings.read(v) }
            do { _ = try IndicatorsSettings.read(v) } catch { #expect(error.key == key) }
        }
    }
}
