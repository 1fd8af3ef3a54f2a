import Foundation
import TradingCore

/// The asset classes the platform models (the wire's `AssetClass`).
public enum AssetClass: String, Sendable, Hashable, CaseIterable {
    case crypto, fx, stock, etf, commodity, index
}

/// A tradable instrument: its canonical symbol, where it trades and how its prices and sizes step.
///
/// Canonical symbols are venue-independent (`BTC/USDT`, `EUR/USD`, `AAPL`); each feed maps its own
/// spelling (`BTCUSDT`, `EUR_USD`) through `venueSymbols`.
public struct Instrument: Sendable, Hashable {
    /// Canonical, venue-independent symbol.
    public var symbol: Symbol
    public var assetClass: AssetClass
    /// What is bought and what it is priced in (`BTC`, `USDT`; `AAPL`, `USD`).
    public var baseCurrency: String
    public var quoteCurrency: String
    /// The venue a live feed takes it from (informational; `binance`, `oanda`, `nasdaq`).
    public var venue: String
    /// Feed name → that feed's symbol. A feed not listed uses the canonical symbol.
    public var venueSymbols: [String: String]
    /// Smallest price step, smallest quantity step, smallest order value.
    public var tickSize: FixedDecimal
    public var lotSize: FixedDecimal
    public var minNotional: FixedDecimal
    /// When it trades, in `sessions.timeZone`; `.continuous` for 24/7 markets.
    public var sessions: TradingSessions

    /// An instrument; `venueSymbols` defaults to none (every feed uses the canonical symbol).
    public init(
        symbol: Symbol, assetClass: AssetClass, baseCurrency: String, quoteCurrency: String, venue: String,
        venueSymbols: [String: String] = [:], tickSize: FixedDecimal, lotSize: FixedDecimal,
        minNotional: FixedDecimal = .zero, sessions: TradingSessions = .continuous
    ) {
        self.symbol = symbol
        self.assetClass = assetClass
        self.baseCurrency = baseCurrency
        self.quoteCurrency = quoteCurrency
        self.venue = venue
        self.venueSymbols = venueSymbols
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minNotional = minNotional
        self.sessions = sessions
    }

    /// The symbol `feed` uses for this instrument.
    public func venueSymbol(for feed: String) -> String { venueSymbols[feed] ?? symbol.value }

    /// True when candles are built from the mid of bid and ask rather than from trades: FX has no
    /// consolidated trade tape, so quote streams (OANDA) are the price.
    public var pricesFromQuotes: Bool { assetClass == .fx }
}
