import RPC
import TradingCore

/// The instruments this service knows, each with a dense index (`InstrumentID`) that the hot path
/// uses instead of hashing symbol strings.
public struct InstrumentCatalog: Sendable {
    /// Every instrument, in `InstrumentID` order.
    public private(set) var instruments: [Instrument] = []
    private var bySymbol: [String: InstrumentID] = [:]
    private var byVenue: [String: [String: InstrumentID]] = [:]
    /// Every venue spelling, whichever feed uses it (the first instrument listed wins a clash).
    private var byAnySpelling: [String: InstrumentID] = [:]

    /// A catalog of `instruments`; a symbol listed twice throws.
    public init(_ instruments: [Instrument]) throws(MarketDataError) {
        for i in instruments { try add(i) }
    }

    /// Appends an instrument with the next id; a symbol already listed throws.
    public mutating func add(_ instrument: Instrument) throws(MarketDataError) {
        guard bySymbol[instrument.symbol.value] == nil else {
            throw MarketDataError(.invalidConfiguration, "instrument \(instrument.symbol) is listed twice")
        }
        let id = InstrumentID(Int32(instruments.count))
        instruments.append(instrument)
        bySymbol[instrument.symbol.value] = id
        for (feed, venueSymbol) in instrument.venueSymbols {
            byVenue[feed, default: [:]][venueSymbol] = id
            if byAnySpelling[venueSymbol] == nil { byAnySpelling[venueSymbol] = id }
        }
    }

    /// How many instruments it holds.
    public var count: Int { instruments.count }

    /// The instrument with `id`.
    public subscript(id: InstrumentID) -> Instrument { instruments[Int(id.rawValue)] }

    /// The instrument with canonical `symbol`.
    public func id(of symbol: String) -> InstrumentID? { bySymbol[symbol] }

    /// What `feed` calls the instrument with `id`: its own spelling, or the canonical symbol.
    public func venueSymbol(_ id: InstrumentID, feed: String) -> String {
        self[id].venueSymbols[feed] ?? self[id].symbol.value
    }

    /// The instrument `feed` calls `venueSymbol` (its own spelling, or the canonical one).
    public func id(venueSymbol: String, feed: String) -> InstrumentID? {
        byVenue[feed]?[venueSymbol] ?? bySymbol[venueSymbol]
    }

    /// The instrument spelled `text` canonically or by any venue (`BTCUSDT`, `EUR_USD`): files
    /// exported from a venue keep its spelling.
    public func id(anySpelling text: String) -> InstrumentID? {
        bySymbol[text] ?? byAnySpelling[text]
    }

    /// The instrument a person names: canonically or by a venue, in any letter case (`btcusdt`,
    /// `BTC/USDT`, `eur_usd`); `unknown_symbol` otherwise. GetInstrument resolves this way, so
    /// callers can learn the canonical symbol every other call takes.
    public func resolve(_ text: String) throws(MarketDataError) -> InstrumentID {
        let upper = text.uppercased()
        if let id = bySymbol[text] ?? bySymbol[upper] ?? byAnySpelling[text] ?? byAnySpelling[upper] { return id }
        return try require(text)
    }

    /// The instrument for `symbol`, or `unknown_symbol` naming the known ones.
    public func require(_ symbol: String) throws(MarketDataError) -> InstrumentID {
        guard let id = bySymbol[symbol] else {
            let known = instruments.prefix(12).map(\.symbol.value).joined(separator: ", ")
            throw MarketDataError(.unknownSymbol, "unknown symbol \"\(symbol)\"; known: \(known)\(instruments.count > 12 ? ", …" : "")")
        }
        return id
    }
}

/// The dense index of an instrument in its catalog.
public struct InstrumentID: Sendable, Hashable, Comparable {
    /// The position in the catalog.
    public let rawValue: Int32
    /// The id at position `rawValue`.
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    /// `rawValue` as an array index.
    public var index: Int { Int(rawValue) }
    /// Catalog order.
    public static func < (a: InstrumentID, b: InstrumentID) -> Bool { a.rawValue < b.rawValue }
}

extension InstrumentCatalog {
    /// The offline default: crypto pairs (24/7), FX majors (24/5, New York 17:00 roll), US stocks and
    /// ETFs (09:30–16:00 New York), with venue spellings for Binance, OANDA and Yahoo.
    public static func standard() -> InstrumentCatalog {
        func d(_ text: String) -> FixedDecimal { try! FixedDecimal(parsing: text) }
        func s(_ text: String) -> Symbol { try! Symbol(text) }
        let fxSessions = TradingSessions(
            timeZone: "America/New_York", windows: [.init(openMinute: 1020, closeMinute: 1020 + 1440)], weekdays: [7, 1, 2, 3, 4])
        let usEquity = try! TradingSessions(timeZone: "America/New_York", windows: ["09:30-16:00"])
        var list: [Instrument] = []
        for (base, tick, lot) in [("BTC", "0.01", "0.00001"), ("ETH", "0.01", "0.0001"), ("SOL", "0.01", "0.001"), ("BNB", "0.01", "0.001"), ("XRP", "0.0001", "0.1")] {
            list.append(Instrument(
                symbol: s("\(base)/USDT"), assetClass: .crypto, baseCurrency: base, quoteCurrency: "USDT", venue: "binance",
                venueSymbols: ["binance": "\(base)USDT", "yahoo": "\(base)-USD"], tickSize: d(tick), lotSize: d(lot), minNotional: d("5")))
        }
        for (base, quote, tick) in [("EUR", "USD", "0.00001"), ("GBP", "USD", "0.00001"), ("USD", "JPY", "0.001"), ("AUD", "USD", "0.00001"), ("USD", "CHF", "0.00001")] {
            list.append(Instrument(
                symbol: s("\(base)/\(quote)"), assetClass: .fx, baseCurrency: base, quoteCurrency: quote, venue: "oanda",
                venueSymbols: ["oanda": "\(base)_\(quote)", "yahoo": "\(base)\(quote)=X"], tickSize: d(tick), lotSize: d("1"),
                sessions: fxSessions))
        }
        for (name, cls) in [("AAPL", AssetClass.stock), ("MSFT", .stock), ("NVDA", .stock), ("AMZN", .stock), ("SPY", .etf), ("QQQ", .etf)] {
            list.append(Instrument(
                symbol: s(name), assetClass: cls, baseCurrency: name, quoteCurrency: "USD", venue: "nasdaq", venueSymbols: ["yahoo": name],
                tickSize: d("0.01"), lotSize: d("1"), sessions: usEquity))
        }
        return try! InstrumentCatalog(list)
    }
}
