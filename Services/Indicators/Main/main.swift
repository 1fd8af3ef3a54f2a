import Foundation
import IndicatorsService
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

// Reads defaults < --config file < TRADEWIND_* environment < flags, then runs until SIGTERM/SIGINT.
do {
    let (configuration, settings) = try readIndicatorsConfiguration()
    try await buildIndicators(configuration: configuration, settings: settings).run()
} catch {
    FileHandle.standardError.write(Data("tradewind-indicators: \(error)\n".utf8))
    exit(2)
}
