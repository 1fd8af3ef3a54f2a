import MarketDataService
import ServiceKit

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
await serviceMain("tradewind-market-data") {
    let (configuration, settings) = try readMarketDataConfiguration()
    try await buildMarketData(configuration: configuration, settings: settings).run()
}
