import Contract
import HTTPTypes
import Hummingbird
import NIOCore
import RPC
import TradingCore
import Wire

extension GatewayAPI {
    var marketRoutes: [Route] {
        [
            Route(method: .get, path: "/api/assets", answers: .list("assets", of: AssetView.self), role: .viewer, summary: "Every asset with its last price and 24 h change") { _, _, _ in
                // The same for everyone: one ListAssets and one encoding per `cache.assets_ms` serve every caller.
                let body = try await assetList.body {
                    let assets = try await peers.marketDataClient().listAssets(PB.ListAssetsRequest()).assets
                    return try JSONBody.buffer(["assets": assets.compactMap { a in a.instrument.map { AssetView($0, a.quote) } }])
                }
                return JSONBody.response(body)
            },
            Route(method: .get, path: "/api/assets/{symbol}", answers: .of(AssetView.self), role: .viewer, summary: "One asset (any spelling: BTCUSDT, btc/usdt) with its quote") {
                _, context, _ in
                let marketData = try peers.marketDataClient()
                let instrument = try await marketData.getInstrument(PB.GetInstrumentRequest(symbol: try parameter("symbol", context)))
                let quote = try? await marketData.getQuote(PB.GetQuoteRequest(symbol: instrument.symbol))
                return try JSONBody.response(AssetView(instrument, quote))
            },
            Route(
                method: .get, path: "/api/assets/{symbol}/history", answers: .of(HistoryView.self), role: .viewer, summary: "Closed and forming candles, oldest first",
                query: ["timeframe", "limit"]
            ) { request, context, _ in
                let marketData = try peers.marketDataClient()
                let symbol = try await marketData.getInstrument(PB.GetInstrumentRequest(symbol: try parameter("symbol", context))).symbol
                let tf = try timeframe(query("timeframe", request))
                let limit = try QueryParameters.integer("limit", request, path: "/api/assets/{symbol}/history") ?? 500
                let candles = try await marketData.getCandles(PB.GetCandlesRequest(
                    symbol: symbol, timeframe: tf.wire, page: PB.PageRequest(limit: UInt32(limit)), descending: true)).candles
                return try JSONBody.response(HistoryView(symbol: symbol, timeframe: tf.rawValue, candles: candles.reversed().map(CandleView.init)))
            },
        ]
    }
}

struct HistoryView: Encodable {
    var symbol, timeframe: String
    var candles: [CandleView]
}
