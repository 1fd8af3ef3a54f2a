import Foundation
import MarketDataService
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
do {
    let (configuration, settings) = try readMarketDataConfiguration()
    try await buildMarketData(configuration: configuration, settings: settings).run()
} catch {
    FileHandle.standardError.write(Data("tradewind-market-data: \(error)\n".utf8))
    exit(2)
}
