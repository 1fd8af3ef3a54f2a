import Contract
import TradingCore
import Wire

// market-data's model in its wire forms.

extension AssetClass {
    init?(wire: PB.AssetClass) {
        switch wire {
        case .crypto: self = .crypto
        case .fx: self = .fx
        case .stock: self = .stock
        case .etf: self = .etf
        case .commodity: self = .commodity
        case .index: self = .index
        case .unspecified, .unrecognized: return nil
        }
    }

    var wire: PB.AssetClass {
        switch self {
        case .crypto: .crypto
        case .fx: .fx
        case .stock: .stock
        case .etf: .etf
        case .commodity: .commodity
        case .index: .index
        }
    }
}

extension Instrument {
    var wire: PB.Instrument {
        PB.Instrument(
            symbol: symbol.value, assetClass: assetClass.wire, baseCurrency: baseCurrency, quoteCurrency: quoteCurrency, venue: venue,
            venueSymbol: venueSymbol(for: venue), tickSize: tickSize.wire, lotSize: lotSize.wire, minNotional: minNotional.wire,
            sessions: sessions.windowTexts, timeZone: sessions.timeZone ?? "UTC")
    }
}

extension Quote {
    var wire: PB.Quote {
        PB.Quote(
            symbol: symbol, tsNs: tsNs, last: last, bid: bid, ask: ask, change24h: change24h, change24hPct: change24hPct,
            volume24h: volume24h, high24h: high24h, low24h: low24h)
    }
}
